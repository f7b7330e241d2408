import { fileBackendDir } from '../backend/backend-url.js';
import { type DriftHistoryStore, FileDriftHistoryStore } from './history-store.js';

/**
 * The drift history beside a backend's state: a folder on `file://`, the bucket on `s3://`.
 * Undefined for other backends (Pulumi Cloud, `gs://`, `azblob://`): there drift keeps no
 * history and every run alerts on the drift it finds.
 */
export async function openDriftHistoryStore(backendUrl: string): Promise<DriftHistoryStore | undefined> {
  const dir = fileBackendDir(backendUrl);
  if (dir !== undefined) return new FileDriftHistoryStore(dir);
  if (backendUrl.startsWith('s3://')) {
    // Loaded only here: commands on other backends never pay for the AWS SDK.
    const { S3DriftHistoryStore } = await import('./s3-history-store.js');
    return S3DriftHistoryStore.open(backendUrl);
  }
  return undefined;
}
