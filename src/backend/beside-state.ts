import { fileBackendDir } from './backend-url.js';

/** How to open one kind of store on each backend gitops reads and writes directly. */
export interface StoreOpeners<T> {
  /** On `file://`: the backend's folder. */
  file: (dir: string) => T;
  /** On `s3://`: loaded only then, so commands on other backends never pay for the AWS SDK. */
  s3: (backendUrl: string) => Promise<T>;
}

/**
 * A store beside a backend's state: a folder on `file://`, the bucket on `s3://`. Undefined for
 * the other backends (Pulumi Cloud, `gs://`, `azblob://`), which gitops reaches only through the CLI.
 */
export async function openBesideState<T>(backendUrl: string, open: StoreOpeners<T>): Promise<T | undefined> {
  const dir = fileBackendDir(backendUrl);
  if (dir !== undefined) return open.file(dir);
  if (backendUrl.startsWith('s3://')) return open.s3(backendUrl);
  return undefined;
}
