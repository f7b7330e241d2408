/** One object of a backend, as a listing names it. */
export interface ListedObject {
  /** Its key under the backend's root, `/`-separated (`.pulumi/stacks/app/dev.json`). */
  key: string;
  /** When it was last written (ms since the epoch), where the listing says so without another call (S3). */
  modified?: number;
  /** Its entity tag, where the listing gives one (S3): changes whenever its content does. */
  etag?: string;
  /** Its size in bytes, where the listing gives it (S3). */
  size?: number;
}

/** An object's bytes, with the entity tag of exactly those bytes where the store gives one (S3). */
export interface StoredObject {
  bytes: Buffer;
  etag?: string;
}

/**
 * Read-only access to the objects of a self-managed (DIY) Pulumi backend: a folder on
 * `file://`, a bucket on `s3://`. Listing is the one call that costs round trips in proportion
 * to the backend's size; reads are independent and run in parallel.
 */
export interface StateObjects {
  /** Every object whose key starts with `prefix` (a folder, ending in `/`), at any depth. */
  list(prefix: string): Promise<ListedObject[]>;
  /** The object's bytes, or undefined when it does not exist. */
  read(key: string): Promise<Buffer | undefined>;
  /** The object's bytes and entity tag, or undefined when it does not exist. */
  readTagged(key: string): Promise<StoredObject | undefined>;
  /** When the object was last written (ms since the epoch): of two forms of one state file, the newer counts, as for Pulumi. */
  modifiedAt(object: ListedObject): Promise<number>;
  /** The object's address, for messages (no credentials, no query). */
  where(key: string): string;
  /**
   * Writes the records index (see `records-index.ts`) where this backend keeps one: S3 only.
   * Undefined: no index is read or written (a file backend's reads are cheap local reads).
   */
  writeIndex?: (bytes: Buffer) => Promise<void>;
}
