import { GitopsError } from '../errors/gitops-error.js';
import { mapLimit } from '../lib/map-limit.js';
import { objectKey } from '../state-lock/lock-store.js';
import { commitOfTag, deployedCommitTag, lastDeployedCommitOf } from './deployed-commit.js';
import { byFolder, historyFilesOf, layoutVersion, type StackKeys, type StackRef, stackKeys, stateFileOf } from './diy-layout.js';
import { type IndexUse, openMemo, saveMemo } from './indexed-reads.js';
import { type RecordKind, type RecordsMemo, recordParsers } from './records-index.js';
import type { StackRecord, UpdateRecord } from './stack-record.js';
import type { ListedObject, StateObjects } from './state-objects.js';

/** A stack to read, by its gitops name and its Pulumi identity. */
export interface RecordRequest extends StackRef {
  name: string;
}

/** One stack's records as read: its record and the commit its deploy record names, or why they cannot be read. */
export type RecordRead =
  /** `record` is undefined where only the deployed commit could be learnt (the CLI path, Pulumi Cloud). */
  { ok: true; record?: StackRecord; deployedCommit?: string } | { ok: false; error: GitopsError };

/** What a caller needs of each stack's records beyond its deployed commit, its state summary and who holds it. */
export interface RecordNeeds {
  /**
   * Its newest update (`record.latestUpdate`: whether it failed), one more read per stack; true
   * unless said otherwise. Without it, the history is read only where no commit tag names the
   * deployed commit.
   */
  latestUpdate?: boolean;
}

/** How far back a stack's history is searched for a `gitops deploy` message when it has no commit tag (as the CLI path reads it). */
const HISTORY_LIMIT = 100;

/**
 * The records of many stacks of a DIY backend at once: one listing each of the state files,
 * the histories and the locks (gitops' and Pulumi's), then every stack's objects read in
 * parallel, at most `concurrency` stacks at a time. Per stack, each object read once, those that
 * do not depend on another at once: its state file (to find pending operations, partial deploys
 * and damage), its tags, and its history only as far as needed: the newest update (unless
 * `needs` says otherwise), and older ones only while no commit tag names the deployed commit.
 * Reads nothing else, decrypts nothing, runs no CLI. A damaged record is that stack's error, naming
 * the stack and the object; the other stacks are still read. Where the backend keeps a records
 * index (S3), an object whose listed tag matches the index's is not fetched (see
 * `records-index.ts`); with `index` `write`, the index is brought up to date after, and holds each
 * stack's newest update whatever `needs` says, so that `status` finds it there.
 */
export async function readStackRecords(
  objects: StateObjects,
  stacks: readonly RecordRequest[],
  concurrency: number,
  needs: RecordNeeds = {},
  index: IndexUse = 'read',
): Promise<Map<string, RecordRead>> {
  const few = stacks.length <= FEW;
  let meta: Buffer | undefined;
  let root: ListedObject[] | undefined;
  try {
    [meta, root] = await Promise.all([
      objects.read('.pulumi/meta.yaml'),
      few ? undefined : listAll(objects, ['.pulumi/stacks/', '.pulumi/history/', '.pulumi/locks/', '.gitops/']),
    ]);
  } catch (err) {
    // The backend itself refused (credentials, network): each stack's error says so, naming it.
    return new Map(stacks.map((s) => [s.name, { ok: false, error: unreadable(s.name, 'the state backend', objects.where(''), err) }]));
  }
  let version: number;
  try {
    version = layoutVersion(meta?.toString('utf8'));
  } catch (err) {
    const error = new GitopsError({
      code: 'ENGINE_ERROR',
      kind: 'external',
      message: `state backend: ${objects.where('.pulumi/meta.yaml')} cannot be read: ${(err as Error).message}`,
      cause: err,
    });
    return new Map(stacks.map((s) => [s.name, { ok: false, error }]));
  }
  // A few stacks (one command on one stack): their own folders only, not the whole backend.
  let listings: ListedObject[];
  try {
    listings = root ?? (await listAll(objects, [...new Set(stacks.flatMap((s) => ownFolders(s, stackKeys(s, version))))]));
  } catch (err) {
    return new Map(
      stacks.map((s) => [s.name, { ok: false, error: unreadable(s.name, 'its records', objects.where(stackKeys(s, version).state), err) }]),
    );
  }
  const listed = new Map(listings.map((o) => [o.key, o]));
  const keys = [...listed.keys()];
  // Only with the whole backend listed: the index is listed with it, and it serves many stacks.
  const memo = root ? await openMemo(objects, listed) : undefined;
  const l: Listings = {
    listed,
    folders: byFolder(keys),
    present: new Set(keys),
    memo,
  };
  const wanted = memo && index === 'write' ? { ...needs, latestUpdate: true } : needs;
  const reads = await mapLimit(stacks, concurrency, (s) =>
    readOne(objects, s, stackKeys(s, version), l, wanted).catch(
      (err): RecordRead => ({ ok: false, error: unreadable(s.name, 'its records', objects.where(stackKeys(s, version).state), err) }),
    ),
  );
  if (memo && index === 'write')
    await saveMemo(
      objects,
      memo,
      stacks.map((s) => stackKeys(s, version)),
    );
  return new Map(stacks.map((s, i) => [s.name, reads[i]!]));
}

/** Up to this many stacks are read from their own folders; more, from one listing of the whole backend. */
const FEW = 4;

/** Every object under each prefix, listed in parallel. */
async function listAll(objects: StateObjects, prefixes: readonly string[]): Promise<ListedObject[]> {
  return (await Promise.all(prefixes.map((p) => objects.list(p)))).flat();
}

/** The folders that hold one stack's objects: its state folder (shared by its project), history, locks, and gitops' records. */
function ownFolders(s: StackRef, keys: StackKeys): string[] {
  return [
    keys.state.slice(0, keys.state.lastIndexOf('/') + 1),
    keys.historyDir,
    keys.lockDir,
    `.gitops/locks/${s.project}/`,
    `.gitops/unknown/${s.project}/`,
  ];
}

interface Listings {
  listed: ReadonlyMap<string, ListedObject>;
  /** Every listed key, by folder. */
  folders: ReadonlyMap<string, readonly string[]>;
  present: ReadonlySet<string>;
  /** What the records index recalls, where one is kept. */
  memo: RecordsMemo | undefined;
}

async function readOne(objects: StateObjects, s: RecordRequest, keys: StackKeys, l: Listings, needs: RecordNeeds): Promise<RecordRead> {
  const stateFile = await stateFileOf(keys, l.listed, (o) => objects.modifiedAt(o));
  const record: StackRecord = {
    exists: stateFile !== undefined,
    tags: {},
    version: 0,
    pulumiLocks: (l.folders.get(keys.lockDir) ?? []).filter((k) => k.endsWith('.json')).map((k) => objects.where(k)),
    gitopsLock: l.present.has(objectKey('locks', s.project, s.stack)),
    unknownOutcomes: l.present.has(objectKey('unknown', s.project, s.stack)),
  };
  const step = async <K extends RecordKind>(
    what: string,
    key: string,
    kind: K,
  ): Promise<ReturnType<(typeof recordParsers)[K]> | undefined> => {
    const recalled = l.memo?.recall(key, kind);
    if (recalled) return recalled.value;
    const got = await objects.readTagged(key);
    if (got === undefined) return undefined;
    try {
      const value = recordParsers[kind](got.bytes) as ReturnType<(typeof recordParsers)[K]>;
      l.memo?.remember(key, kind, got.etag, value);
      return value;
    } catch (err) {
      throw unreadable(s.name, what, objects.where(key), err);
    }
  };
  const files = historyFilesOf(l.folders.get(keys.historyDir) ?? []);
  record.version = files.length;
  const history = (file: string) => step('an update record in its history', file, 'update');
  try {
    // Independent objects, fetched at once; a damaged one is reported in this order whichever fails first.
    const [state, tags, newest] = await settledInOrder([
      stateFile ? step('its state file', stateFile.key, 'state') : undefined,
      l.listed.has(keys.tags) ? step('its tags file', keys.tags, 'tags') : undefined,
      needs.latestUpdate !== false && files[0] ? history(files[0]) : undefined,
    ] as const);
    if (state) record.state = state;
    record.tags = tags ?? {};
    if (newest) record.latestUpdate = newest;
    const tagged = commitOfTag(record.tags[deployedCommitTag]);
    if (tagged) return { ok: true, record, deployedCommit: tagged };
    // No commit tag (deployed before it existed, or renamed): the newest gitops deploy in the history, newest first.
    const updates: UpdateRecord[] = [];
    for (const [i, file] of files.slice(0, HISTORY_LIMIT).entries()) {
      const u = i === 0 && newest ? newest : await history(file);
      if (!u) continue;
      if (updates.length === 0) record.latestUpdate ??= u;
      updates.push(u);
      if (u.result === 'succeeded' && (u.kind === 'destroy' || (u.kind === 'update' && lastDeployedCommitOf([u])))) break;
    }
    const deployedCommit = lastDeployedCommitOf(updates);
    return { ok: true, record, ...(deployedCommit ? { deployedCommit } : {}) };
  } catch (err) {
    if (err instanceof GitopsError) return { ok: false, error: err };
    throw err;
  }
}

/** Awaits every promise, then throws the first rejection in list order (not in time order), else returns the values. */
async function settledInOrder<T extends readonly unknown[]>(promises: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** A stack whose record is damaged or cannot be fetched: never read as "nothing deployed" or "up to date". */
function unreadable(stack: string, what: string, where: string, err: unknown): GitopsError {
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return new GitopsError({
    code: 'ENGINE_ERROR',
    kind: 'external',
    message: `stack ${stack}: ${what} ${where} cannot be read: ${status ? `HTTP ${status} ` : ''}${(err as Error).name && (err as Error).name !== 'Error' ? `${(err as Error).name}: ` : ''}${(err as Error).message ?? String(err)}`,
    hint:
      status === 401 || status === 403
        ? "check the state backend's credentials (for S3: AWS_* or the profile, and the bucket's policy)"
        : 'Pulumi keeps earlier versions (the .bak beside a state file, .pulumi/backups/ and .pulumi/history/): check it, then restore one',
    cause: err,
  });
}
