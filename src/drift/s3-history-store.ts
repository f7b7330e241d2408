import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../backend/s3-backend-url.js';
import { openS3Bucket, type S3Credentials, type S3Sdk } from '../backend/s3-client.js';
import { type DriftHistoryStore, HISTORY_PREFIX, type StoredRun } from './history-store.js';

/** Drift history in the S3 bucket that holds the state, under `<prefix>.gitops/drift-history/`, reached as the state is. */
export class S3DriftHistoryStore implements DriftHistoryStore {
  private constructor(
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    private readonly location: S3Location,
  ) {}

  static async open(backendUrl: string, credentials?: S3Credentials): Promise<S3DriftHistoryStore> {
    const { sdk, client, location } = await openS3Bucket(backendUrl, credentials);
    return new S3DriftHistoryStore(sdk, client, location);
  }

  private get root(): string {
    return `${this.location.keyPrefix}${HISTORY_PREFIX}/`;
  }

  private key(run: StoredRun): string {
    return `${this.root}${run.stack}/${run.name}.json`;
  }

  where(): string {
    return `s3://${this.location.bucket}/${this.root}`;
  }

  async put(run: StoredRun, text: string): Promise<void> {
    await this.client.send(
      new this.sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(run), Body: text, ContentType: 'application/json' }),
    );
  }

  async list(stack?: string): Promise<StoredRun[]> {
    const prefix = stack === undefined ? this.root : `${this.root}${stack}/`;
    const runs: StoredRun[] = [];
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new this.sdk.ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of out.Contents ?? []) {
        const m = /^([^/]+)\/([^/]+)\.json$/.exec(o.Key?.slice(this.root.length) ?? '');
        if (m) runs.push({ stack: m[1]!, name: m[2]! });
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
    return runs.sort((a, b) => a.stack.localeCompare(b.stack) || a.name.localeCompare(b.name));
  }

  async read(run: StoredRun): Promise<string> {
    const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(run) }));
    return (await out.Body?.transformToString('utf8')) ?? '';
  }
}
