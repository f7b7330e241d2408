import { openBesideState } from '../backend/beside-state.js';
import { type DriftHistoryStore, FileDriftHistoryStore } from './history-store.js';

/**
 * The drift history beside a backend's state (see `openBesideState`). On other backends drift
 * keeps no history, and every run alerts on the drift it finds.
 */
export function openDriftHistoryStore(backendUrl: string): Promise<DriftHistoryStore | undefined> {
  return openBesideState<DriftHistoryStore>(backendUrl, {
    file: (dir) => new FileDriftHistoryStore(dir),
    s3: async (url) => (await import('./s3-history-store.js')).S3DriftHistoryStore.open(url),
  });
}
