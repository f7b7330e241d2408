import { setTimeout as sleep } from 'node:timers/promises';
import { GitopsError } from '../errors/gitops-error.js';
import type { LockStore } from '../state-lock/lock-store.js';
import type { LockedStack } from '../state-lock/stack-lock.js';
import {
  mergeUnknown,
  parseUnknownRecord,
  serializeUnknownRecord,
  type UnknownCreate,
  type UnknownOutcomeRecord,
  withoutUnknown,
} from './unknown-outcome.js';

/**
 * The unknown-outcome record of each stack, kept in the store of our stack locks (its
 * `unknown` kind: a folder beside a file backend's state, the state's bucket on S3). Every
 * change is read, merge, conditional write (create-if-absent, or replace/delete only while
 * the version read is still there), retried when another writer got in between: two runs
 * that race never lose each other's entries.
 */
const ATTEMPTS = 20;

function storeError(s: LockedStack, what: string, where: string, err: unknown): GitopsError {
  if (err instanceof GitopsError) return err;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new GitopsError({
    code: 'ENGINE_ERROR',
    kind: 'external',
    message: `stack ${s.name}: cannot ${what} its record of creates of unknown outcome at ${where}: ${status ? `HTTP ${status} ` : ''}${(err as Error).message ?? String(err)}`,
    hint: 'check that the state backend is reachable with these credentials (the record sits beside the state)',
    cause: err,
  });
}

/** The stack's record and the version read, if there is one. */
async function readRecord(store: LockStore, s: LockedStack): Promise<{ record: UnknownOutcomeRecord; tag: string } | undefined> {
  const stored = await store.read(s.project, s.stack);
  return stored && { record: parseUnknownRecord(stored.text, store.where(s.project, s.stack)), tag: stored.tag };
}

/** The stack's creates of unknown outcome (none when it has no record). */
export async function readUnknownCreates(store: LockStore, s: LockedStack): Promise<UnknownCreate[]> {
  try {
    return (await readRecord(store, s))?.record.creates ?? [];
  } catch (err) {
    throw storeError(s, 'read', store.where(s.project, s.stack), err);
  }
}

/** Applies `change` to the record until a conditional write of it lands; an empty result deletes the record. */
async function update(
  store: LockStore,
  s: LockedStack,
  what: string,
  change: (current: UnknownOutcomeRecord | undefined) => UnknownOutcomeRecord,
): Promise<void> {
  const where = store.where(s.project, s.stack);
  try {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await readRecord(store, s);
      const next = change(current?.record);
      if (next.creates.length === 0) {
        if (!current || (await store.remove(s.project, s.stack, current.tag)) !== 'changed') return;
      } else {
        const text = serializeUnknownRecord(next);
        const written = current ? await store.replace(s.project, s.stack, text, current.tag) : await store.create(s.project, s.stack, text);
        if (written !== undefined) return;
      }
      // Jittered, so writers that lost together do not meet again.
      await sleep(10 * attempt + Math.random() * 20);
    }
  } catch (err) {
    throw storeError(s, what, where, err);
  }
  throw storeError(s, what, where, new Error(`another writer changed it ${ATTEMPTS} times in a row`));
}

/** Adds creates to the stack's record (merged with what is there). */
export function recordUnknownCreates(store: LockStore, s: LockedStack, creates: readonly UnknownCreate[]): Promise<void> {
  return update(store, s, 'write', (current) => mergeUnknown(current, s, creates));
}

/** Removes the entries of `urns` from the stack's record (the record goes with its last entry). */
export function settleUnknownCreates(store: LockStore, s: LockedStack, urns: readonly string[]): Promise<void> {
  return update(store, s, 'update', (current) => (current ? withoutUnknown(current, urns) : mergeUnknown(undefined, s, [])));
}
