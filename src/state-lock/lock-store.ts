/** A lock object as read: its text, and the tag that names this very version of it. */
export interface StoredLock {
  text: string;
  /** The S3 ETag, or the file's content: what a conditional delete compares. */
  tag: string;
}

/** What removing a lock found. */
export type RemoveOutcome = 'removed' | 'changed' | 'gone';

/**
 * Where gitops keeps its own stack locks, beside the state: one object per stack,
 * `<backend>/.gitops/locks/<project>/<stack>.json`, created only if absent.
 */
export interface LockStore {
  /** The lock's address, for messages (no credentials, no query). */
  where(project: string, stack: string): string;
  /** Creates the lock with `text` unless one exists: its tag, or undefined when the lock was there already. */
  create(project: string, stack: string, text: string): Promise<string | undefined>;
  read(project: string, stack: string): Promise<StoredLock | undefined>;
  /** Deletes the lock only while it is still the version `tag` names. */
  remove(project: string, stack: string, tag: string): Promise<RemoveOutcome>;
  /** Overwrites the object only while it is still the version `tag` names: the new tag, or undefined when it changed or is gone. */
  replace(project: string, stack: string, text: string, tag: string): Promise<string | undefined>;
  /** The same store (folder or bucket, and client) over another kind of object. */
  ofKind(kind: ObjectKind): LockStore;
}

/**
 * The kinds of object gitops keeps beside the state, one per stack each: `locks` (the stack
 * lock), `unknown` (creates whose outcome is unknown, see src/engine/unknown-outcome.ts) and
 * `processes` (the process groups of the run holding the lock, see run-processes.ts).
 */
export type ObjectKind = 'locks' | 'unknown' | 'processes';

/** The key of a stack's object of one kind under the backend's root. */
export const objectKey = (kind: ObjectKind, project: string, stack: string): string => `.gitops/${kind}/${project}/${stack}.json`;

/** The key of a stack's lock under the backend's root. */
export const lockKey = (project: string, stack: string): string => objectKey('locks', project, stack);
