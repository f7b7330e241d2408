import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Location } from '../backend/s3-backend-url.js';
import { openS3Bucket, type S3Credentials, type S3Sdk, statusOf } from '../backend/s3-client.js';
import { type LockStore, type ObjectKind, objectKey, type RemoveOutcome, type StoredLock } from './lock-store.js';

/**
 * Stack locks in the S3 bucket that holds the state, beside it:
 * `<prefix>.gitops/locks/<project>/<stack>.json`, reached with the AWS SDK's default credential
 * chain (environment, shared config and its `profile=`, web identity, container and instance
 * roles), as Pulumi reaches the state.
 *
 * Taking the lock is a conditional write, `PutObject` with `If-None-Match: *`: the store
 * creates the object only if no object has that key, atomically, so of two runners exactly one
 * gets it and the other is answered 412 (AWS S3 since August 2024, SeaweedFS, Cloudflare R2,
 * ...). A store that ignores the header would let both write: the lock then only names a
 * holder, and Pulumi's own lock is all that is left. Releasing is a conditional delete,
 * `If-Match: <ETag>`, so a lock that is no longer ours (removed by `unlock --force`, then taken
 * again) is never deleted.
 */
export class S3LockStore implements LockStore {
  private constructor(
    private readonly sdk: S3Sdk,
    private readonly client: S3Client,
    private readonly location: S3Location,
    private readonly kind: ObjectKind = 'locks',
  ) {}

  ofKind(kind: ObjectKind): LockStore {
    return new S3LockStore(this.sdk, this.client, this.location, kind);
  }

  /**
   * The store of an `s3://` backend URL. Loads the AWS SDK, so only S3 backends pay for it.
   * `credentials` stand in for the default chain (tests that talk to a store in process).
   */
  static async open(backendUrl: string, credentials?: S3Credentials): Promise<S3LockStore> {
    const { sdk, client, location } = await openS3Bucket(backendUrl, credentials);
    return new S3LockStore(sdk, client, location);
  }

  private key(project: string, stack: string): string {
    return `${this.location.keyPrefix}${objectKey(this.kind, project, stack)}`;
  }

  where(project: string, stack: string): string {
    return `s3://${this.location.bucket}/${this.key(project, stack)}`;
  }

  /**
   * A conditional `PutObject`: the new ETag, or undefined when the condition failed (`lost`:
   * the statuses that say so).
   */
  private async put(
    project: string,
    stack: string,
    text: string,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
    lost: readonly number[],
  ): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.location.bucket,
          Key: this.key(project, stack),
          Body: text,
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      const status = statusOf(err);
      if (status !== undefined && lost.includes(status)) return undefined;
      throw err;
    }
  }

  /**
   * 412: the lock exists. 409: AWS's answer to a conditional write racing another one; the
   * caller reads the lock and, finding none, tries again.
   */
  create(project: string, stack: string, text: string): Promise<string | undefined> {
    return this.put(project, stack, text, { IfNoneMatch: '*' }, [412, 409]);
  }

  async read(project: string, stack: string): Promise<StoredLock | undefined> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(project, stack) }));
      return { text: (await out.Body?.transformToString('utf8')) ?? '', tag: out.ETag ?? '' };
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /**
   * A conditional delete (`If-Match` on DeleteObject: AWS S3 since late 2024, SeaweedFS). The
   * tag is compared first as well: a store that ignores `If-Match` then still deletes only a
   * lock that was ours a moment before, leaving open only the window between that read and the
   * delete, to someone removing the lock by hand and a new run taking it in those milliseconds.
   */
  async remove(project: string, stack: string, tag: string): Promise<RemoveOutcome> {
    const current = await this.read(project, stack);
    if (!current) return 'gone';
    if (current.tag !== tag) return 'changed';
    try {
      await this.client.send(
        new this.sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.key(project, stack), IfMatch: tag }),
      );
      return 'removed';
    } catch (err) {
      if (statusOf(err) === 412) return 'changed';
      if (statusOf(err) === 404) return 'gone';
      throw err;
    }
  }

  /** A conditional overwrite, `PutObject` with `If-Match: <ETag>` (AWS S3 since November 2024): 412 (or 404, 409) when it moved. */
  replace(project: string, stack: string, text: string, tag: string): Promise<string | undefined> {
    return this.put(project, stack, text, { IfMatch: tag }, [412, 409, 404]);
  }
}
