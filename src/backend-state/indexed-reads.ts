import { compressions, type StackKeys } from './diy-layout.js';
import { decodeIndex, encodeIndex, type IndexEntry, MAX_INDEX_BYTES, RECORDS_INDEX_KEY, RecordsMemo } from './records-index.js';
import type { ListedObject, StateObjects } from './state-objects.js';

/**
 * How a read uses the records index: `read` (recall what it can, never write: `status`, which a
 * user with read-only credentials runs) or `write` (also store it after: deploy and drift, which
 * hold the state's write credentials anyway).
 */
export type IndexUse = 'read' | 'write';

/**
 * The run's memo over the stored index, on a backend that keeps one and whose whole listing was
 * taken (the index is listed with the rest: its size is known before it is fetched). An index
 * that is missing, too large, damaged or cannot be fetched is a memo of nothing: every object is
 * read, as without an index. Undefined where no index is kept (file backends).
 */
export async function openMemo(objects: StateObjects, listed: ReadonlyMap<string, ListedObject>): Promise<RecordsMemo | undefined> {
  if (!objects.writeIndex) return undefined;
  const stored = listed.get(RECORDS_INDEX_KEY);
  let held: Map<string, IndexEntry> | undefined;
  if (stored && (stored.size ?? 0) <= MAX_INDEX_BYTES) {
    // A failed fetch costs only speed: every object is then read, as without an index.
    const bytes = await objects.read(RECORDS_INDEX_KEY).catch(() => undefined);
    held = bytes && decodeIndex(bytes);
  }
  return new RecordsMemo(held ?? new Map(), listed);
}

/**
 * Stores the index after a run that read `stacks`, when it says something new. Best effort: a
 * failed write (no write permission, the store down) costs the next run's speed only, never this
 * run's result, so it is not reported. Two writers racing: the last one wins, and whatever the
 * other read is read again next time (its tags no longer match).
 */
export async function saveMemo(objects: StateObjects, memo: RecordsMemo, stacks: readonly StackKeys[]): Promise<void> {
  const keys = new Set(stacks.flatMap((k) => [...compressions.map((ext) => k.state + ext), k.tags]));
  const dirs = new Set(stacks.map((k) => k.historyDir));
  const next = memo.next((key) => keys.has(key) || dirs.has(key.slice(0, key.lastIndexOf('/') + 1)));
  const bytes = next && encodeIndex(next);
  if (bytes) await objects.writeIndex?.(bytes).catch(() => undefined);
}
