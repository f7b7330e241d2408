import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { parseHistoryFile, parseStateFile, parseTagsFile } from './stack-record.js';
import type { ListedObject } from './state-objects.js';

/**
 * The records index: beside the state (with gitops' locks), what each record object a reader
 * parsed said, keyed by the object and the entity tag of the bytes parsed. A reader lists the
 * backend as always (the listing is the authority: it gives every object's current tag), reads
 * the index once, and fetches only the objects whose listed tag differs from the index's. An
 * entry is a memo of one parse, never a statement about a stack: a stale or forged entry whose
 * tag does not match is not used, and a missing, damaged or foreign index is not used at all.
 * Anyone able to write it can write the state itself, so a forged one grants nothing new.
 */
export const RECORDS_INDEX_KEY = '.gitops/records-index.json.gz';

/** Raised whenever what a parse gives changes: an index of another version is not used. */
const VERSION = 1;
/** An index larger than this (as stored, compressed) is neither read nor written: about 30 times what 1,000 stacks need. */
export const MAX_INDEX_BYTES = 16 * 1024 * 1024;
/** Its text, uncompressed: a larger one (a compression bomb) is not used. */
const MAX_INDEX_TEXT = 128 * 1024 * 1024;

/** How each kind of record object is parsed: what an index entry of that kind holds. */
export const recordParsers = { state: parseStateFile, tags: parseTagsFile, update: parseHistoryFile } as const;
export type RecordKind = keyof typeof recordParsers;

const pending = z.strictObject({ urn: z.string(), type: z.string(), operation: z.string(), recordedAt: z.string().optional() });
const update = z.strictObject({
  kind: z.string(),
  result: z.string().optional(),
  message: z.string().optional(),
  startTime: z.number().optional(),
  endTime: z.number().optional(),
});
const etag = z.string().min(1).max(256);
const entrySchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('state'),
    etag,
    value: z.strictObject({ live: z.number().int().min(0), resources: z.number().int().min(0), pending: z.array(pending) }),
  }),
  z.strictObject({ kind: z.literal('tags'), etag, value: z.record(z.string(), z.string()) }),
  z.strictObject({ kind: z.literal('update'), etag, value: update }),
]);
const indexSchema = z.strictObject({ version: z.literal(VERSION), objects: z.record(z.string().max(4096), entrySchema) });

/** One object's parse, as the index holds it. */
export type IndexEntry = z.infer<typeof entrySchema>;

/** The entries of a stored index; undefined when it cannot be used (damaged, cut short, too large, another version). */
export function decodeIndex(bytes: Buffer): Map<string, IndexEntry> | undefined {
  if (bytes.length > MAX_INDEX_BYTES) return undefined;
  try {
    const text = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { maxOutputLength: MAX_INDEX_TEXT }) : bytes;
    const parsed = indexSchema.safeParse(JSON.parse(text.toString('utf8')));
    return parsed.success ? new Map(Object.entries(parsed.data.objects)) : undefined;
  } catch {
    return undefined;
  }
}

/** The index to store; undefined when it would exceed {@link MAX_INDEX_BYTES}. */
export function encodeIndex(entries: ReadonlyMap<string, IndexEntry>): Buffer | undefined {
  const bytes = gzipSync(JSON.stringify({ version: VERSION, objects: Object.fromEntries(entries) }));
  return bytes.length > MAX_INDEX_BYTES ? undefined : bytes;
}

/**
 * One run's use of the index: parses recalled where the listing names the very bytes they came
 * from, fresh parses remembered under the tag of the bytes fetched, and the index to write after.
 */
export class RecordsMemo {
  private readonly used = new Map<string, IndexEntry>();

  constructor(
    private readonly held: ReadonlyMap<string, IndexEntry>,
    private readonly listed: ReadonlyMap<string, ListedObject>,
  ) {}

  /** What the object said when last parsed, if the listing names the same bytes (same tag) now. */
  recall<K extends RecordKind>(key: string, kind: K): { value: ReturnType<(typeof recordParsers)[K]> } | undefined {
    const entry = this.held.get(key);
    const now = this.listed.get(key)?.etag;
    if (!entry || entry.kind !== kind || now === undefined || entry.etag !== now) return undefined;
    this.used.set(key, entry);
    return { value: entry.value as ReturnType<(typeof recordParsers)[K]> };
  }

  /** A fresh parse, under the tag of the bytes parsed (not the listing's: the object may have changed in between). */
  remember(key: string, kind: RecordKind, tag: string | undefined, value: unknown): void {
    if (tag) this.used.set(key, { kind, etag: tag, value } as IndexEntry);
  }

  /**
   * The index after this run: every entry used or made now, and the entries of other stacks
   * (`owned` false) that still match the listing. Objects gone from the backend (a stack removed
   * or renamed) and superseded parses drop out, so the index stays the size of what is read.
   * Undefined when it would hold what the stored one holds: nothing to write.
   */
  next(owned: (key: string) => boolean): Map<string, IndexEntry> | undefined {
    const out = new Map(this.used);
    for (const [key, entry] of this.held) {
      if (!out.has(key) && !owned(key) && this.listed.get(key)?.etag === entry.etag) out.set(key, entry);
    }
    const same =
      out.size === this.held.size && [...out].every(([k, e]) => this.held.get(k)?.etag === e.etag && this.held.get(k)?.kind === e.kind);
    return same ? undefined : out;
  }
}
