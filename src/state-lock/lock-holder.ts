import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitopsError } from '../errors/gitops-error.js';
import { readRunRecord } from '../processes/process-reaper.js';
import { isRunning, type ProcessInfo, readProcess, startedAt } from '../processes/process-table.js';

/**
 * Who holds a stack's lock. Pulumi's DIY backends write one JSON file per lock,
 * `.pulumi/locks/<org>/<project>/<stack>/<uuid>.json`, holding `{pid, username, hostname,
 * timestamp}` of the Pulumi CLI that took it; the command is ours to find.
 */
export interface LockHolder {
  username: string;
  hostname: string;
  pid: number;
  /** When the lock was taken (ISO). */
  timestamp: string;
  /**
   * `alive`: the process runs on this host; `dead`: it was on this host and is gone;
   * `remote`: another host holds it, so nothing here can tell whether it still runs.
   */
  state: 'alive' | 'dead' | 'remote';
  /** What the holder is running, when known: from /proc while it runs, else from the run's record. */
  command?: string;
  /** The lock file, on a file backend. */
  file?: string;
}

/** What a lock says of its holder; `start`: its process's start ticks, when the lock recorded them (ours does). */
type RawLock = Pick<LockHolder, 'username' | 'hostname' | 'pid' | 'timestamp'> & { start?: number };

/** Whether `p` started by the time `timestamp` says (a second of slack for clock rounding); true when either is unknown. */
function startedBy(p: ProcessInfo, timestamp: string): boolean {
  const started = startedAt(p);
  const taken = Date.parse(timestamp);
  return started === undefined || Number.isNaN(taken) || started <= taken + 1000;
}

/**
 * Whether the lock's process still runs here. A pid is reused: with the start ticks the lock
 * recorded, only that very process counts; otherwise (Pulumi's locks) a process that started
 * after the lock was taken (with a second of slack for clock rounding) is another one.
 */
function holderState(lock: RawLock, hostname: string): { state: LockHolder['state']; command?: string } {
  if (lock.hostname !== hostname) return { state: 'remote' };
  const p = readProcess(lock.pid);
  if (isRunning(p)) {
    if (lock.start !== undefined ? p.start === lock.start : startedBy(p, lock.timestamp)) {
      const parent = readProcess(p.ppid);
      return { state: 'alive', command: p.ppid > 1 && parent ? `${p.command} (started by: ${parent.command})` : p.command };
    }
  }
  return { state: 'dead' };
}

/** Adds liveness and the command to what a lock file (or Pulumi's lock message) says. */
export function describeLock(lock: RawLock, workDir?: string, hostname = os.hostname()): LockHolder {
  const { state, command } = holderState(lock, hostname);
  let known = command;
  if (!known && workDir && state === 'dead') {
    const record = readRunRecord(workDir);
    if (record?.processes.some((p) => p.pid === lock.pid)) known = record.runner.command;
  }
  return { ...lock, state, ...(known ? { command: known } : {}) };
}

/**
 * The locks of a stack on a file backend: `<dir>/.pulumi/locks/<org>/<project>/<stack>/*.json`
 * (gocloud's `.attrs` side files are not locks).
 */
export function readLockFiles(backendDir: string, project: string, stack: string, workDir?: string): LockHolder[] {
  const locks = path.join(backendDir, '.pulumi', 'locks');
  if (!existsSync(locks)) return [];
  const holders: LockHolder[] = [];
  for (const org of readdirSync(locks)) {
    const dir = path.join(locks, org, project, stack);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      const file = path.join(dir, name);
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as RawLock;
        holders.push({ ...describeLock(raw, workDir), file });
      } catch {
        // Half-written by a run killed while locking: a lock nobody holds.
        holders.push({ username: '?', hostname: '?', pid: 0, timestamp: '?', state: 'dead', file });
      }
    }
  }
  return holders;
}

/** Deletes lock files (and their `.attrs`): exactly the ones inspected, never a lock taken since. */
export function removeLockFiles(holders: readonly LockHolder[]): void {
  for (const h of holders) {
    if (!h.file) continue;
    rmSync(h.file, { force: true });
    rmSync(`${h.file}.attrs`, { force: true });
  }
}

/** The holders Pulumi names in its "currently locked" error (any DIY backend: file, S3, ...). */
export function parseLockMessage(message: string, workDir?: string): LockHolder[] {
  const re = /created by (.*?)@(\S+) \(pid (\d+)\) at (\S+)/g;
  const seen = new Set<string>();
  const out: LockHolder[] = [];
  for (const m of message.matchAll(re)) {
    if (seen.has(m[0])) continue;
    seen.add(m[0]);
    out.push(describeLock({ username: m[1]!, hostname: m[2]!, pid: Number(m[3]), timestamp: m[4]! }, workDir));
  }
  return out;
}

function age(timestamp: string, now: number): string {
  const ms = now - Date.parse(timestamp);
  if (Number.isNaN(ms)) return 'age unknown';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

const stateText: Record<LockHolder['state'], string> = {
  alive: 'still running on this host',
  dead: 'no longer running (it was on this host)',
  remote: 'on another host: whether it still runs cannot be checked from here',
};

/** One line: who, where, which process, since when, doing what, and whether it still runs. */
export function describeHolder(h: LockHolder, now = Date.now()): string {
  const taken = Date.parse(h.timestamp);
  const at = Number.isNaN(taken) ? h.timestamp : new Date(taken).toISOString().replace(/\.\d+Z$/, 'Z');
  return (
    `created by ${h.username}@${h.hostname} (pid ${h.pid}) at ${at} (${age(h.timestamp, now)}); ` +
    `command: ${h.command ?? 'unknown'}; ${stateText[h.state]}`
  );
}

/** The STACK_LOCKED error, with what to do for the kind of holder found. */
export function lockedError(
  stack: string,
  holders: readonly LockHolder[],
  cause?: unknown,
  now = Date.now(),
  fileBackend = true,
): GitopsError {
  // Off a file backend `unlock` cannot read the lock to check its holder, so it needs --force there.
  const force = fileBackend ? '' : ' --force';
  const hint = holders.some((h) => h.state === 'alive')
    ? 'another run of this stack is in progress: wait for it to finish'
    : holders.some((h) => h.state === 'remote')
      ? `if that run is over (a killed CI job), clear the lock with \`gitops unlock --stack ${stack} --force\``
      : `the run that took the lock is dead: clear it with \`gitops unlock --stack ${stack}${force}\``;
  return new GitopsError({
    code: 'STACK_LOCKED',
    kind: 'external',
    message: `stack ${stack} is locked by another run: ${holders.map((h) => describeHolder(h, now)).join('; ') || 'holder unknown'}`,
    hint,
    cause,
  });
}
