import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type ProcessRef, readRunRecord } from '../../src/processes/process-reaper.js';
import { isSameProcess } from '../../src/processes/process-table.js';
import { type CliRun, createSandbox, demoEnv, gitopsBin, type Sandbox, testRunEnv } from '../helpers/sandbox.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'slow-files', 'index.ts');

/** The type of the fixture's resources, and the URN of one of them in `stack`. */
export const slowType = 'pulumi-nodejs:dynamic/gitops:faults:SlowFile:Resource';
export const urnOf = (stack: string, name: string): string => `urn:pulumi:${stack}::slow-files::${slowType}::${name}`;

/** A sandbox of the demo repository with the fault-injection program and one stack of it. */
export interface FaultBox {
  box: Sandbox;
  stack: string;
  /** Where the stack's resources (files) are made. */
  files: string;
  /** `gitops` in the sandbox, to completion. */
  gitops(...args: string[]): Promise<CliRun>;
  /** Starts `gitops` in a process group of its own (as a CI job runs), to be signalled. */
  start(...args: string[]): Running;
  /** The resource files of one resource name (one per create that happened). */
  instances(name: string): string[];
  /** The stack's state file on the file backend. */
  stateFile: string;
  /** The stack's checkpoint: resources and pending operations. */
  state(): { resources: { urn: string; id?: string }[]; pending: { type: string; urn: string }[] };
  /** Declares the `doomed` resource (or not, which deletes it). */
  setDoomed(present: boolean): Promise<void>;
  /** Sets `slow-files:version`, which every resource carries: a new value updates them in place. */
  setVersion(version: string): Promise<void>;
  /** How long the slow creates take from now on (read when a create runs). */
  setDelay(ms: number): Promise<void>;
  /** The stack's lock files on the file backend. */
  locks(): string[];
  /** The processes the running (or killed) run recorded. */
  recorded(): ProcessRef[];
  /**
   * `gitops recover` as the user settles a kill mid-create: adopts `adopted` (its create
   * happened: its file is there, and the file's path is its ID) and forgets `never`.
   */
  adoptAndForget(): Promise<{ run: CliRun; adopted: string }>;
}

export interface Running {
  pid: number;
  done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
  /** Signals the whole process group, as a cancelled CI job does. */
  killGroup(signal: NodeJS.Signals): void;
  /** Signals gitops alone. */
  kill(signal: NodeJS.Signals): void;
}

/** `env` is added to every run's environment (for another state backend, say). */
export async function createFaultBox(stack: string, delayMs: number, env: Record<string, string | undefined> = {}): Promise<FaultBox> {
  const box = await createSandbox({ stacks: {} });
  // Under .gitops/: the only part of the checkout a confined program may write.
  const files = path.join(box.root, '.gitops', 'files', stack);
  await box.write('programs/slow-files/index.ts', readFileSync(fixture, 'utf8'));
  const declared: { doomed: boolean; version?: string } = { doomed: false };
  const writeStack = (): Promise<void> =>
    box.write(
      `stacks/${stack}.yaml`,
      `program: slow-files\nconfig:\n  slow-files:dir: ${files}\n` +
        (declared.doomed ? '  slow-files:doomed: true\n' : '') +
        (declared.version === undefined ? '' : `  slow-files:version: '${declared.version}'\n`),
    );
  await writeStack();
  const setDelay = (ms: number): Promise<void> => box.write(path.join('.gitops', 'files', stack, '.delay-ms'), String(ms));
  await setDelay(delayMs);
  const backend = path.join(box.root, '.gitops', 'state', '.pulumi');
  const stateFile = path.join(backend, 'stacks', 'slow-files', `${stack}.json`);
  const start = (...args: string[]): Running => {
    const merged = testRunEnv({ ...demoEnv, ...env });
    const child = spawn(process.execPath, [gitopsBin, ...args], {
      cwd: box.root,
      env: merged,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
    });
    return { pid: child.pid!, done, killGroup: (s) => process.kill(-child.pid!, s), kill: (s) => child.kill(s) };
  };
  return {
    box,
    stack,
    files,
    gitops: (...args) => box.run(args, env),
    setDelay,
    setDoomed: (present) => {
      declared.doomed = present;
      return writeStack();
    },
    setVersion: (version) => {
      declared.version = version;
      return writeStack();
    },
    start,
    instances: (name) => (existsSync(files) ? readdirSync(files).filter((f) => f.startsWith(`${name}-`)) : []),
    stateFile,
    state: () => {
      const latest = (JSON.parse(readFileSync(stateFile, 'utf8')) as { checkpoint: { latest: Record<string, unknown> } }).checkpoint
        .latest as {
        resources?: { urn: string; id?: string }[];
        pending_operations?: { type: string; resource: { urn: string } }[];
      };
      return {
        resources: latest.resources ?? [],
        pending: (latest.pending_operations ?? []).map((p) => ({ type: p.type, urn: p.resource.urn })),
      };
    },
    locks: () => {
      const dir = path.join(backend, 'locks', 'organization', 'slow-files', stack);
      return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
    },
    recorded: () => readRunRecord(path.join(box.root, '.gitops', 'workspaces', stack))?.processes ?? [],
    adoptAndForget: async () => {
      const adopted = path.join(files, readdirSync(files).filter((f) => f.startsWith('adopted-'))[0]!);
      const run = await box.run(
        ['recover', '--stack', stack, '--import', `${urnOf(stack, 'adopted')}=${adopted}`, '--forget', urnOf(stack, 'never')],
        env,
      );
      return { run, adopted };
    },
  };
}

/** Waits until `check` holds (polling), or fails naming what it waited for. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The recorded processes still running. */
export function stillRunning(processes: readonly ProcessRef[]): ProcessRef[] {
  return processes.filter((p) => isSameProcess(p.pid, p.start));
}

/**
 * Deploys, and sends `signal` once both slow creates have begun, to gitops alone or to its whole
 * process group (as a CI runner cancels a job); the run's outcome and the processes it had.
 */
export async function interruptMidCreate(f: FaultBox, stack: string, signal: NodeJS.Signals, to: 'pid' | 'group' = 'pid') {
  const run = f.start('deploy', '--stack', stack);
  let seen: ProcessRef[] = [];
  try {
    await waitFor(
      'both slow creates to begin',
      () => existsSync(path.join(f.files, '.creating-adopted')) && existsSync(path.join(f.files, '.creating-never')),
    );
    seen = f.recorded();
  } finally {
    if (to === 'group') run.killGroup(signal);
    else run.kill(signal);
  }
  return { r: await run.done, seen };
}
