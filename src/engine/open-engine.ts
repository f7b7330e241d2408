import { existsSync, readFileSync } from 'node:fs';
import { ensureFileBackend, resolveBackendUrl } from '../backend/backend-url.js';
import { parseS3BackendUrl } from '../backend/s3-backend-url.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import type { Redactor } from '../secrets/redact.js';
import { programEntry } from '../stacks/program-project.js';
import type { StackDefinition } from '../stacks/schema.js';
import { ensureKubernetesProvider } from '../toolchain/kubernetes-provider.js';
import { ensurePulumi } from '../toolchain/pulumi-cli.js';
import { recordsViaCli } from './deploy-records.js';
import { detectSandbox } from './program-sandbox.js';
import { PulumiEngine } from './pulumi-engine.js';
import { checkSecretsAccess, verifyStackPassphrases } from './secrets-provider.js';

export interface OpenEngineOptions {
  layout: RepoLayout;
  /** The stacks about to run: their programs decide which provider plugins to install. */
  stacks: readonly StackDefinition[];
  env: NodeJS.ProcessEnv;
  redactor?: Redactor;
  /** Toolchain progress lines. */
  log: (line: string) => void;
  /** False for commands that never decrypt (unlock): no passphrase is asked for. Default true. */
  needsSecrets?: boolean;
  /** The root Pulumi.yaml text whose `backend.url` applies, when not the working tree's (see `resolveBackendUrl`). */
  projectText?: string | null;
  /** Keep the backend's records index up to date (commands that write the state anyway: deploy, drift). */
  writesRecordsIndex?: boolean;
}

/** The real engine, after the checks that must pass before anything runs, with its toolchain installed. */
export async function openPulumiEngine(options: OpenEngineOptions): Promise<PulumiEngine> {
  const { layout, stacks, env, log } = options;
  if (options.needsSecrets !== false) {
    checkSecretsAccess(stacks, env);
    await verifyStackPassphrases(stacks, env);
  }
  const viaCli = recordsViaCli(env);
  const backendUrl = resolveBackendUrl(layout, env, options.projectText);
  // The stack lock goes beside the state: an S3 URL it cannot follow is refused before anything runs.
  if (backendUrl.startsWith('s3://')) parseS3BackendUrl(backendUrl);
  await ensureFileBackend(backendUrl);
  const toolchain = await ensurePulumi(env, log);
  // Provider plugins cannot be downloaded offline: install the ones the programs need up front.
  if (usesPackage(layout, stacks, '@pulumi/kubernetes')) await ensureKubernetesProvider(env, log);
  const operationTimeoutMs = operationTimeout(env);
  const lockLeaseMs = lockLease(env);
  const sandbox = await detectSandbox(env);
  if (sandbox === 'none') {
    log(
      'programs run without a PID namespace (unshare is not permitted here): each still runs in its own process with its own ' +
        "environment, but could read other processes' environment through /proc; see docs/programs.md",
    );
  }
  return new PulumiEngine({
    sandbox,
    layout,
    toolchain,
    backendUrl,
    env,
    redactor: options.redactor,
    ...(operationTimeoutMs ? { operationTimeoutMs } : {}),
    ...(lockLeaseMs ? { lockLeaseMs } : {}),
    ...(viaCli ? { recordsViaCli: viaCli } : {}),
    ...(options.writesRecordsIndex ? { writesRecordsIndex: true } : {}),
  });
}

/** A positive number of `unit`s from the variable `name`, in milliseconds; undefined when unset. */
function positiveSetting(env: NodeJS.ProcessEnv, name: string, unit: 'minutes' | 'seconds', example: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new GitopsError({
      code: 'USAGE',
      kind: 'user',
      message: `${name}=${raw}: not a positive number of ${unit}`,
      hint: `set it to a number of ${unit}, e.g. ${example}`,
    });
  }
  return n * (unit === 'minutes' ? 60_000 : 1000);
}

/** `GITOPS_OPERATION_TIMEOUT`: minutes one stack's operation may run. */
const operationTimeout = (env: NodeJS.ProcessEnv): number | undefined => positiveSetting(env, 'GITOPS_OPERATION_TIMEOUT', 'minutes', '90');

/** `GITOPS_LOCK_LEASE`: seconds a stack lock's lease lasts unless its live holder renews it. */
const lockLease = (env: NodeJS.ProcessEnv): number | undefined => positiveSetting(env, 'GITOPS_LOCK_LEASE', 'seconds', '300');

/** True when a selected stack's program entry imports `pkg` (a cheap text check of the entry file). */
function usesPackage(layout: RepoLayout, stacks: readonly StackDefinition[], pkg: string): boolean {
  const entries = new Set(stacks.map((s) => programEntry(layout, s)));
  return [...entries].some((file) => existsSync(file) && readFileSync(file, 'utf8').includes(`'${pkg}'`));
}
