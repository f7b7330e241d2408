import { openBesideState } from '../backend/beside-state.js';
import { FileStateObjects } from './file-state-objects.js';
import type { StateObjects } from './state-objects.js';

/**
 * Direct read access to a backend's objects (see `openBesideState`): `file://` and `s3://`, whose
 * layout is Pulumi's own (the DIY backends). The others' records are read through the CLI.
 */
export function openStateObjects(backendUrl: string): Promise<StateObjects | undefined> {
  return openBesideState<StateObjects>(backendUrl, {
    file: (dir) => new FileStateObjects(dir),
    s3: async (url) => {
      const [{ openS3Bucket }, { S3StateObjects }] = await Promise.all([
        import('../backend/s3-client.js'),
        import('./s3-state-objects.js'),
      ]);
      return new S3StateObjects(await openS3Bucket(url));
    },
  });
}
