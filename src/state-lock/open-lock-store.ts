import { openBesideState } from '../backend/beside-state.js';
import { FileLockStore } from './file-lock-store.js';
import type { LockStore } from './lock-store.js';

/**
 * The gitops lock store beside a backend's state (see `openBesideState`). Other backends rely on
 * their own lock: Pulumi Cloud (the service serialises updates), and `gs://`/`azblob://`
 * (Pulumi's DIY lock only; see docs/recovery.md).
 */
export function openLockStore(backendUrl: string): Promise<LockStore | undefined> {
  return openBesideState<LockStore>(backendUrl, {
    file: (dir) => new FileLockStore(dir),
    s3: async (url) => (await import('./s3-lock-store.js')).S3LockStore.open(url),
  });
}
