import { randomBytes } from 'node:crypto';
import { openLockStore } from './open-lock-store.js';

/** What a write probe of the state backend found. */
export type WriteProbe = { writable: true; where: string } | { writable: false; why: string } | { writable: undefined };

/**
 * Tries to write beside the state, as a merge request job would: a throwaway object under
 * `.gitops/locks/gitops-write-probe/`, removed at once. A job that runs unreviewed code must not
 * be able to write the state (it could rewrite a stack's deploy record), so for such a job the
 * write must fail. `writable: undefined` for backends this cannot probe (Pulumi Cloud, gs://,
 * azblob://).
 */
export async function probeStateWrite(backendUrl: string): Promise<WriteProbe> {
  const store = await openLockStore(backendUrl).catch(() => undefined);
  if (!store) return { writable: undefined };
  const name = `probe-${randomBytes(6).toString('hex')}`;
  try {
    const tag = await store.create('gitops-write-probe', name, `{"probe":"${name}"}\n`);
    if (tag !== undefined) await store.remove('gitops-write-probe', name, tag);
    return { writable: true, where: store.where('gitops-write-probe', name) };
  } catch (err) {
    return { writable: false, why: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  }
}
