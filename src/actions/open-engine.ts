import path from 'node:path';
import type { ActionContext } from '../api/action-context.js';
import { resolveBackendUrl } from '../backend/backend-url.js';
import { deferredEngine } from '../engine/deferred-engine.js';
import { DeployRecords, recordsViaCli } from '../engine/deploy-records.js';
import type { Engine } from '../engine/engine.js';
import { type RunScope, scopedEngine } from '../engine/run-scope.js';
import { checkSingleSdk, driverSdk, type SdkCopy, sdkFrom } from '../engine/single-sdk.js';
import type { RepoLayout } from '../repo/layout.js';
import type { Redactor } from '../secrets/redact.js';
import type { StackDefinition } from '../stacks/schema.js';

export { resolveBackendUrl };

/** What opening the engine takes from the process that runs it: its environment, its redactor, and where toolchain lines go. */
export interface EngineHost {
  env: NodeJS.ProcessEnv;
  redactor?: Redactor;
  log: (line: string) => void;
}

/** What an operation asks of the engine it opens. */
export interface EngineNeeds {
  /** False: the stacks' passphrases are not asked for (nothing is decrypted). */
  needsSecrets?: boolean;
  /** The root Pulumi.yaml to take the backend URL from (a merge request's base); default the checkout's. */
  projectText?: string | null;
  /** Keep the backend's records index up to date: only commands that write the state anyway (deploy, drift). */
  writesRecordsIndex?: boolean;
}

/** The SDK copy Node resolves from the repository root and from each program folder the stacks run. */
function programSdks(layout: RepoLayout, stacks: readonly StackDefinition[]): Map<string, SdkCopy | undefined> {
  const folders = [layout.root, ...new Set(stacks.map((s) => path.join(layout.programsDir, s.program)))];
  return new Map(folders.map((f) => [path.relative(layout.root, f) || '.', sdkFrom(f)]));
}

/**
 * The engine, after the checks that must pass before anything runs. Loaded on demand: the
 * Automation API and the toolchain code cost a third of a second to load, and most commands
 * never need them.
 */
export async function openEngine(
  host: EngineHost,
  layout: RepoLayout,
  stacks: readonly StackDefinition[],
  options: EngineNeeds = {},
): Promise<Engine> {
  checkSingleSdk(driverSdk(), programSdks(layout, stacks));
  const { openPulumiEngine } = await import('../engine/open-engine.js');
  return openPulumiEngine({ layout, stacks, env: host.env, redactor: host.redactor, log: host.log, ...options });
}

/**
 * The engine of commands that mostly read deploy records (`status`, `deploy --since-deployed`):
 * records come straight from a file or S3 backend, and the real engine (toolchain, Automation
 * API, passphrase checks) is opened only when a stack runs or a record must come through the CLI.
 */
export function recordsFirstEngine(
  host: EngineHost,
  layout: RepoLayout,
  stacks: readonly StackDefinition[],
  options: EngineNeeds = {},
): Engine {
  let real: Promise<Engine> | undefined;
  const open = (): Promise<Engine> => {
    real ??= openEngine(host, layout, stacks, options);
    return real;
  };
  const records = new DeployRecords(
    resolveBackendUrl(layout, host.env),
    async (s) => (await open()).lastDeployedCommit(s),
    recordsViaCli(host.env),
    options.writesRecordsIndex,
  );
  return deferredEngine(open, records);
}

/** The engine opener of an action context: the engine, narrowed to `scope` (`--target`, `--refresh`) when one is given. */
export function engineOpener(host: EngineHost, layout: RepoLayout, scope?: RunScope): ActionContext['engine'] {
  return async (stacks, options) => {
    const engine = await openEngine(host, layout, stacks, options);
    return scope && (scope.targets || scope.refresh) ? scopedEngine(engine, scope) : engine;
  };
}
