import { setTimeout as sleep } from 'node:timers/promises';
import { GitopsError } from '../errors/gitops-error.js';
import type { LockHolder } from './lock-holder.js';
import type { FoundLock } from './lock-record.js';
import { DEFAULT_LEASE_MS, holderOf, newLockRecord, parseLockRecord, type StackLockRecord } from './lock-record.js';
import type { LockStore } from './lock-store.js';
import { takeoverVerdict } from './takeover.js';

/** A stack and the names its lock is kept under. */
export interface LockedStack {
  /** The gitops stack name, for messages. */
  name: string;
  project: string;
  stack: string;
}

/** A lock this run holds. */
export interface HeldLock {
  /** Where it is (for messages). */
  where: string;
  /**
   * Deletes it if it is still ours. `changed`/`gone`: someone removed it meanwhile (`unlock
   * --force`), and what is there now is not ours to delete.
   */
  release(): Promise<'removed' | 'changed' | 'gone'>;
  /** The dead holder whose lock this run took over (on this host, or another whose lease ran out). */
  tookOver?: LockHolder;
}

/** How often a lock that vanished between a refused create and the read is tried again. */
const ATTEMPTS = 5;

/** What the store answered: `HTTP 403 SignatureDoesNotMatch: ...` for an S3 error, else the message. */
function answer(err: unknown): string {
  const e = err as Error & { $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return status === undefined ? (e.message ?? String(err)) : `HTTP ${status} ${e.name}: ${e.message}`;
}

/** What to check, by what failed: the local disk (a file backend's errno) or the remote store. */
function storeHint(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the disk holding the state is full: free space there, then run again';
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM')
    return 'the state folder cannot be written by this job: check its permissions and mount';
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'check the state folder (the lock sits beside the state)';
  return 'check that the state backend is reachable with these credentials (the lock sits beside the state)';
}

function storeError(s: LockedStack, what: string, where: string, err: unknown): GitopsError {
  return new GitopsError({
    code: 'ENGINE_ERROR',
    kind: 'external',
    message: `stack ${s.name}: cannot ${what} its lock at ${where}: ${answer(err)}`,
    hint: storeHint(err),
    cause: err,
  });
}

/**
 * Takes the stack's gitops lock. A lock already there is taken over when its holder is proven
 * dead: on this host, its process is gone; on another host, its lease ran out (a live holder
 * renews it). Otherwise throws STACK_LOCKED naming the holder (user, host, PID, age, command,
 * whether it runs) and, for another host, when its lease runs out. A lock released between
 * our refused create and the read of its holder is simply free again: the create is tried anew.
 */
export async function acquireStackLock(
  store: LockStore,
  s: LockedStack,
  now = new Date(),
  options: { leaseMs?: number } = {},
): Promise<HeldLock> {
  const where = store.where(s.project, s.stack);
  const record = newLockRecord(s.project, s.stack, now, options.leaseMs ?? DEFAULT_LEASE_MS);
  const text = `${JSON.stringify(record, null, 2)}\n`;
  for (let attempt = 1; ; attempt++) {
    let tag: string | undefined;
    try {
      tag = await store.create(s.project, s.stack, text);
    } catch (err) {
      throw storeError(s, 'take', where, err);
    }
    if (tag !== undefined) return hold(store, s, where, record, tag);
    const found = await readStackLock(store, s);
    if (found) {
      const verdict = takeoverVerdict(s.name, found, now.getTime());
      if (verdict !== 'take') throw verdict;
      let taken: string | undefined;
      try {
        taken = await store.replace(s.project, s.stack, text, found.tag);
      } catch (err) {
        throw storeError(s, 'take over', where, err);
      }
      if (taken !== undefined) return hold(store, s, where, record, taken, found.holder);
      // It changed while we looked (renewed, released, taken): look again.
    }
    if (attempt >= ATTEMPTS) throw storeError(s, 'take', where, new Error('the lock was refused, yet no lock could be read'));
    await sleep(50 * attempt);
  }
}

/** A lock this run holds, its lease renewed every third of its length until released. */
function hold(store: LockStore, s: LockedStack, where: string, record: StackLockRecord, tag: string, tookOver?: LockHolder): HeldLock {
  let ours = tag;
  let renewing: Promise<void> = Promise.resolve();
  const leaseMs = record.leaseMs ?? DEFAULT_LEASE_MS;
  const renew = async (): Promise<void> => {
    const text = `${JSON.stringify({ ...record, renewedAt: new Date().toISOString() }, null, 2)}\n`;
    // A renewal that fails leaves the tag: a lock removed meanwhile then reads as not ours on release.
    const next = await store.replace(s.project, s.stack, text, ours).catch(() => undefined);
    if (next !== undefined) ours = next;
  };
  const timer = setInterval(
    () => {
      renewing = renewing.then(renew);
    },
    Math.max(1_000, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    where,
    ...(tookOver ? { tookOver } : {}),
    release: async () => {
      clearInterval(timer);
      await renewing;
      try {
        return await store.remove(s.project, s.stack, ours);
      } catch (err) {
        throw storeError(s, 'release', where, err);
      }
    },
  };
}

/** The stack's gitops lock and its holder, if one is there. */
export async function readStackLock(store: LockStore, s: LockedStack): Promise<FoundLock | undefined> {
  const where = store.where(s.project, s.stack);
  let stored: Awaited<ReturnType<LockStore['read']>>;
  try {
    stored = await store.read(s.project, s.stack);
  } catch (err) {
    throw storeError(s, 'read', where, err);
  }
  if (!stored) return undefined;
  const record = parseLockRecord(stored.text);
  return { holder: holderOf(record), where, tag: stored.tag, ...(record ? { record } : {}) };
}

/** Removes a lock `unlock` inspected: exactly that version, never one taken since. */
export async function removeStackLock(store: LockStore, s: LockedStack, found: FoundLock): Promise<'removed' | 'changed' | 'gone'> {
  try {
    return await store.remove(s.project, s.stack, found.tag);
  } catch (err) {
    throw storeError(s, 'remove', found.where, err);
  }
}
