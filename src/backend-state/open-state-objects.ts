import { fileBackendDir } from '../backend/backend-url.js';
import { FileStateObjects } from './file-state-objects.js';
import type { StateObjects } from './state-objects.js';

/**
 * Direct read access to a backend's objects: `file://` and `s3://`, whose layout is Pulumi's
 * own (the DIY backends). Undefined for the others (Pulumi Cloud, `gs://`, `azblob://`): their
 * records are read through the CLI.
 */
export async function openStateObjects(backendUrl: string): Promise<StateObjects | undefined> {
  const dir = fileBackendDir(backendUrl);
  if (dir !== undefined) return new FileStateObjects(dir);
  if (backendUrl.startsWith('s3://')) {
    const [{ openS3Bucket }, { S3StateObjects }] = await Promise.all([import('../backend/s3-client.js'), import('./s3-state-objects.js')]);
    return new S3StateObjects(await openS3Bucket(backendUrl));
  }
  return undefined;
}
