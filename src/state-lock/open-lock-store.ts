import { fileBackendDir } from '../backend/backend-url.js';
import { FileLockStore } from './file-lock-store.js';
import type { LockStore } from './lock-store.js';

/**
 * The gitops lock store beside a backend's state: a folder on `file://`, the bucket on
 * `s3://`. Undefined for backends whose own lock is relied on: Pulumi Cloud (the service
 * serialises updates), and `gs://`/`azblob://` (Pulumi's DIY lock only; see docs/recovery.md).
 */
export async function openLockStore(backendUrl: string): Promise<LockStore | undefined> {
  const dir = fileBackendDir(backendUrl);
  if (dir !== undefined) return new FileLockStore(dir);
  if (backendUrl.startsWith('s3://')) {
    // Loaded only here: commands on other backends never pay for the AWS SDK.
    const { S3LockStore } = await import('./s3-lock-store.js');
    return S3LockStore.open(backendUrl);
  }
  return undefined;
}
