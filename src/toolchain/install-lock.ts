import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, lstat, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import type { Log } from './go-build.js';

/** Who holds a lock: the lock file's content (JSON), so a waiter can tell a dead holder from a busy one. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When the lock was taken (ISO 8601). */
  acquiredAt: string;
  /** The holder process's start time as the kernel reports it (Linux), to tell a reused PID from the holder. */
  processStart?: string;
  /** Tells apart two holders in one process (parallel callers). */
  token: string;
}

/** Knobs for tests; the defaults suit toolchain installs. */
export interface FileLockOptions {
  /** How often a waiter looks again. */
  pollMs?: number;
  /** A lock we cannot check (another host, or no holder recorded) is taken over after this long. */
  staleMs?: number;
}

const POLL_MS = 1000;
const STALE_MS = 60 * 60 * 1000;

/** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot; undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The record this process writes into a lock it takes. */
export function currentHolder(): LockHolder {
  return {
    pid: process.pid,
    host: os.hostname(),
    acquiredAt: new Date().toISOString(),
    processStart: processStartTime(process.pid),
    token: randomBytes(8).toString('hex'),
  };
}

/**
 * Whether the holder's process still runs: `dead`, `alive`, or `unknown` when we cannot tell
 * (another host, or a live process with that PID whose start time we cannot compare).
 */
export function holderState(holder: LockHolder): 'alive' | 'dead' | 'unknown' {
  if (holder.host !== os.hostname()) return 'unknown';
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  const started = processStartTime(holder.pid);
  if (!holder.processStart || !started) return 'unknown';
  // A live process with that PID but another start time is a newcomer that reused the PID.
  return started === holder.processStart ? 'alive' : 'dead';
}

type Seen = { holder?: LockHolder; text: string; ageMs: number } | undefined;

function parseHolder(text: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder> | null;
    return typeof parsed?.pid === 'number' && typeof parsed.host === 'string' ? (parsed as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** The lock as it is now: its holder (undefined for a lock we cannot read, e.g. an old lock folder), or undefined if gone. */
async function readLock(lockPath: string): Promise<Seen> {
  try {
    const s = await lstat(lockPath);
    const ageMs = Date.now() - s.mtimeMs;
    // Not a file of ours (an old-style lock folder, say): no holder to check.
    if (!s.isFile()) return { text: '', ageMs };
    const text = await readFile(lockPath, 'utf8');
    const holder = parseHolder(text);
    return holder ? { holder, text, ageMs } : { text, ageMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Creates the lock from the prepared file `tmp`: complete or not at all, since a hard link cannot be half made. */
async function tryAcquire(lockPath: string, tmp: string): Promise<boolean> {
  try {
    await link(tmp, lockPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

/**
 * Removes the lock we looked at, and only that one. Waiters take over one at a time, under a
 * guard file created exclusively: without it, two waiters that both saw the dead holder's lock
 * could each remove a lock, the second one removing the lock the first had just taken. Under the
 * guard, a dead holder's lock cannot change between our look and its removal (nobody releases
 * it, nobody can take it while it exists). A guard left by a waiter killed mid-takeover is
 * removed once its holder is dead. (Residual: a lock of a holder we cannot check, taken over
 * after `staleMs`, could be released and taken anew between the look and the removal.)
 */
async function takeOver(lockPath: string, seenText: string, me: LockHolder, log: Log): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await writeFile(guard, `${JSON.stringify(me)}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const other = parseHolder(await readFile(guard, 'utf8').catch(() => ''));
    if (other && holderState(other) === 'dead') {
      log(`removing the takeover guard of ${describeHolder(other)}, which is no longer running (${guard})`);
      await rm(guard, { force: true });
    }
    return;
  }
  try {
    const now = await readLock(lockPath);
    if (now && now.text === seenText) await rm(lockPath, { recursive: true, force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

function describeHolder(holder: LockHolder): string {
  return `process ${holder.pid} on ${holder.host}, since ${holder.acquiredAt}`;
}

/**
 * Runs `fn` while holding a lock file, so two processes (parallel test workers, two terminals)
 * never build the same toolchain piece at once. The file records its holder (PID, host, start
 * times): a lock whose holder on this host has died (a killed run) is taken over at once. A lock
 * we cannot check (held from another host, or an old-style lock folder) is taken over after an
 * hour.
 */
export async function withFileLock<T>(lockPath: string, log: Log, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { pollMs = POLL_MS, staleMs = STALE_MS } = options;
  const me = currentHolder();
  const tmp = `${lockPath}.${me.pid}.${me.token}.tmp`;
  let waitingFor: string | undefined;
  await writeFile(tmp, `${JSON.stringify(me)}\n`);
  try {
    while (!(await tryAcquire(lockPath, tmp))) {
      const seen = await readLock(lockPath);
      if (!seen) continue; // released between our attempt and our look
      const state = seen.holder ? holderState(seen.holder) : 'unknown';
      if (state === 'dead') {
        log(`taking over the lock of ${describeHolder(seen.holder!)}, which is no longer running (${lockPath})`);
        await takeOver(lockPath, seen.text, me, log);
        continue;
      }
      if (state === 'unknown' && seen.ageMs > staleMs) {
        log(`taking over a lock older than ${Math.round(staleMs / 60_000)} min whose holder cannot be checked (${lockPath})`);
        await takeOver(lockPath, seen.text, me, log);
        continue;
      }
      const who = seen.holder ? describeHolder(seen.holder) : 'an unknown process';
      if (waitingFor !== who) log(`waiting for ${who} to finish installing (${lockPath})`);
      waitingFor = who;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  try {
    return await fn();
  } finally {
    // Only our own lock: after a takeover by someone else, theirs stays.
    const seen = await readLock(lockPath);
    if (seen?.holder?.token === me.token) await unlink(lockPath).catch(() => undefined);
  }
}
