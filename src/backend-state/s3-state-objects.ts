import { type S3Bucket, statusOf } from '../backend/s3-client.js';
import { RECORDS_INDEX_KEY } from './records-index.js';
import type { ListedObject, StateObjects, StoredObject } from './state-objects.js';

/** The objects of an `s3://` backend, through the same client the stack lock uses. */
export class S3StateObjects implements StateObjects {
  constructor(private readonly bucket: S3Bucket) {}

  async list(prefix: string): Promise<ListedObject[]> {
    const { sdk, client, location } = this.bucket;
    const out: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: location.bucket, Prefix: `${location.keyPrefix}${prefix}`, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        out.push({
          key: o.Key.slice(location.keyPrefix.length),
          modified: o.LastModified?.getTime() ?? 0,
          ...(o.ETag ? { etag: o.ETag } : {}),
          ...(o.Size !== undefined ? { size: o.Size } : {}),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async modifiedAt(object: ListedObject): Promise<number> {
    return object.modified ?? 0;
  }

  async read(key: string): Promise<Buffer | undefined> {
    return (await this.readTagged(key))?.bytes;
  }

  async readTagged(key: string): Promise<StoredObject | undefined> {
    const { sdk, client, location } = this.bucket;
    try {
      const out = await client.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: `${location.keyPrefix}${key}` }));
      const bytes = out.Body ? Buffer.from(await out.Body.transformToByteArray()) : Buffer.alloc(0);
      return { bytes, ...(out.ETag ? { etag: out.ETag } : {}) };
    } catch (err) {
      if (statusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  /**
   * Only commands that already hold the state's write credentials write it (deploy, drift): who
   * can write the index can write the state itself, so a forged index grants nothing new.
   */
  readonly writeIndex = async (bytes: Buffer): Promise<void> => {
    const { sdk, client, location } = this.bucket;
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: location.bucket,
        Key: `${location.keyPrefix}${RECORDS_INDEX_KEY}`,
        Body: bytes,
        ContentType: 'application/gzip',
      }),
    );
  };

  where(key: string): string {
    return `s3://${this.bucket.location.bucket}/${this.bucket.location.keyPrefix}${key}`;
  }
}
