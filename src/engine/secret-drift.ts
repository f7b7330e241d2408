import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Deployment, PulumiCommand, Stack } from '@pulumi/pulumi/automation/index.js';
import { isSecretValue, leafTexts, secretPlaintext } from './learn-secrets.js';
import type { PropertyChange } from './result.js';

const run = promisify(execFile);

/** A secret property whose live value differs from the state, with both plaintexts for the redactor only. */
export interface SecretChange {
  urn: string;
  change: PropertyChange;
  /** Both values' plaintext: never printed, only learned by the redactor. */
  plaintexts: string[];
}

interface StateResource {
  urn: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

function resourcesOf(d: Deployment): StateResource[] {
  return ((d.deployment as { resources?: StateResource[] } | undefined)?.resources ?? []).filter((r) => typeof r.urn === 'string');
}

const plain = (v: unknown): unknown => (isSecretValue(v) ? secretPlaintext(v) : v);

/** Paths where `before` or `after` holds a secret and their plaintexts differ. */
function secretPaths(before: unknown, after: unknown, prefix: string): { path: string; values: [unknown, unknown] }[] {
  if (isSecretValue(before) || isSecretValue(after)) {
    const [a, b] = [plain(before), plain(after)];
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: prefix, values: [a, b] }];
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObj(before) || !isObj(after) || Array.isArray(before) !== Array.isArray(after)) return [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.flatMap((k) => secretPaths(before[k], after[k], Array.isArray(before) ? `${prefix}[${k}]` : prefix ? `${prefix}.${k}` : k));
}

/**
 * Compares the secret properties of two exports made with secrets shown: the state, and the
 * state after a refresh. Only properties the program declares (the state's inputs) count, as
 * for every other drift. Pure; the plaintexts stay in memory and reports get `[secret]`.
 */
export function compareSecrets(before: Deployment, after: Deployment, urns?: ReadonlySet<string>): SecretChange[] {
  const live = new Map(resourcesOf(after).map((r) => [r.urn, r]));
  return resourcesOf(before).flatMap((old) => {
    const now = live.get(old.urn);
    if (!now || (urns && !urns.has(old.urn))) return [];
    return secretPaths(old.outputs ?? old.inputs, now.outputs ?? now.inputs, '')
      .filter((p) => old.inputs?.[p.path.split(/[.[]/)[0]!] !== undefined)
      .map((p) => ({
        urn: old.urn,
        change: { path: p.path, kind: 'update', old: '[secret]', new: '[secret]', secret: true },
        plaintexts: p.values.flatMap(leafTexts),
      }));
  });
}

/** The stack under check (on the real backend) and how to copy it, with the suspects to compare. */
export interface SecretDriftProbe extends Omit<StateCopy, 'target'> {
  /** The resources whose refresh step changed while their secret values arrived masked. */
  urns: ReadonlySet<string>;
}

/**
 * Finds drift in secret properties, which engine events mask. A refresh preview cannot show
 * live secret values, so the probe refreshes a throwaway copy of the state on a file backend of
 * its own (the real state is never written), exports both with secrets decrypted in memory, and
 * compares them. The copy holds ciphertext only (exported without `--show-secrets`) and is
 * removed at once. Costs about four CLI calls, so it runs only when a refresh step changed a
 * resource with secret values and nothing visible explains it.
 */
export async function probeSecretDrift(probe: SecretDriftProbe): Promise<SecretChange[]> {
  // Only the suspects: others may read what the copy's backend lacks (a StackReference reads another stack).
  return withRefreshedCopy({ ...probe, target: [...probe.urns] }, async (copy) => {
    const [before, after] = await Promise.all([probe.stack.exportStack(), copy.exportStack()]);
    return compareSecrets(before, after, probe.urns);
  });
}

/** What {@link withRefreshedCopy} needs: the stack, the CLI and its environment, and how to open a copy. */
export interface StateCopy {
  /** The stack under check, on the real backend. */
  stack: Stack;
  command: PulumiCommand;
  /** The whole CLI environment of the stack (the job's, with its backend, Pulumi home and passphrase). */
  env: NodeJS.ProcessEnv;
  /** Where the throwaway copy lives while it is used; removed afterwards. */
  parentDir: string;
  /** Opens the same stack (project, settings, secrets provider) on another backend. */
  openCopy(backendUrl: string, workDir: string): Promise<Stack>;
  /** Refresh only these resources (default: all). */
  target?: string[];
  signal?: AbortSignal;
}

/** Runs `pulumi <args>` for a state copy; `backendUrl` points the CLI at the copy's backend. */
export type CopyCli = (args: string[], cwd: string, backendUrl?: string) => Promise<{ stdout: string }>;

/**
 * Runs `fn` on a throwaway copy of the stack's state, on a file backend of its own, refreshed
 * from the live resources: the real state is never written. The copy holds ciphertext only
 * (exported without `--show-secrets`) and is removed at once.
 */
export async function withRefreshedCopy<T>(
  probe: StateCopy,
  fn: (copy: Stack, cli: CopyCli, backendUrl: string) => Promise<T>,
): Promise<T> {
  const { stack, command, env, signal } = probe;
  const cli: CopyCli = (args, cwd, backendUrl) =>
    run(command.command, [...args, '--non-interactive'], {
      cwd,
      env: { ...env, ...(backendUrl ? { PULUMI_BACKEND_URL: backendUrl } : {}) },
      signal,
      maxBuffer: 1 << 30,
    });
  const dir = await mkdtemp(path.join(probe.parentDir, 'state-copy-'));
  try {
    const exported = await cli(['stack', 'export', '--stack', stack.name], stack.workspace.workDir);
    const stateFile = path.join(dir, 'state.json');
    await writeFile(stateFile, exported.stdout, { mode: 0o600 });
    const copyBackend = `file://${path.join(dir, 'backend')}`;
    await mkdir(path.join(dir, 'backend'), { recursive: true });
    const copy = await probe.openCopy(copyBackend, path.join(dir, 'workspace'));
    await cli(['stack', 'import', '--file', stateFile, '--stack', copy.name], copy.workspace.workDir, copyBackend);
    await copy.refresh({ signal, color: 'never', ...(probe.target ? { target: probe.target } : {}) });
    return await fn(copy, cli, copyBackend);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
