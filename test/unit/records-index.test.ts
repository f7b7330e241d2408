import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIndex, encodeIndex, type IndexEntry, MAX_INDEX_BYTES, RecordsMemo } from '../../src/backend-state/records-index.js';
import type { ListedObject } from '../../src/backend-state/state-objects.js';

/** The records index's format and its memo: what is recalled, what is written, what is refused. */
const tagsKey = '.pulumi/stacks/app/dev.pulumi-tags';
const stateKey = '.pulumi/stacks/app/dev.json';
const entries = new Map<string, IndexEntry>([
  [tagsKey, { kind: 'tags', etag: '"t1"', value: { 'gitops:commit': 'a'.repeat(40) } }],
  [stateKey, { kind: 'state', etag: '"s1"', value: { live: 2, resources: 3, pending: [] } }],
]);
const listing = (tags: Record<string, string | undefined>): Map<string, ListedObject> =>
  new Map(Object.entries(tags).map(([key, etag]) => [key, { key, ...(etag ? { etag } : {}) }]));

describe('the records index', () => {
  it('round-trips through its stored form, gzipped or plain', () => {
    const bytes = encodeIndex(entries)!;
    expect(bytes[0]).toBe(0x1f);
    expect(decodeIndex(bytes)).toEqual(entries);
    expect(decodeIndex(Buffer.from(JSON.stringify({ version: 1, objects: Object.fromEntries(entries) })))).toEqual(entries);
  });

  it('is not used when damaged, cut short, of another version, wrongly shaped, too large or a compression bomb', () => {
    const text = JSON.stringify({ version: 1, objects: Object.fromEntries(entries) });
    const bad = {
      garbage: Buffer.from('garbage'),
      empty: Buffer.alloc(0),
      cut: encodeIndex(entries)!.subarray(0, 20),
      version: Buffer.from(text.replace('"version":1', '"version":2')),
      extraField: Buffer.from(text.replace('"version":1', '"version":1,"trusted":true')),
      wrongValue: Buffer.from(
        JSON.stringify({ version: 1, objects: { [stateKey]: { kind: 'state', etag: '"s"', value: { live: -1, pending: [] } } } }),
      ),
      unknownKind: Buffer.from(JSON.stringify({ version: 1, objects: { [stateKey]: { kind: 'secrets', etag: '"s"', value: {} } } })),
      emptyTag: Buffer.from(JSON.stringify({ version: 1, objects: { [tagsKey]: { kind: 'tags', etag: '', value: {} } } })),
      tooLarge: Buffer.alloc(MAX_INDEX_BYTES + 1, 0x20),
      // Valid JSON but for its size once uncompressed: refused by the cap, not by the parser.
      bomb: gzipSync(Buffer.concat([Buffer.from('{"version":1,"objects":{}'), Buffer.alloc(130 * 1024 * 1024, 0x20), Buffer.from('}')]), {
        level: 1,
      }),
    };
    for (const [what, bytes] of Object.entries(bad)) expect(decodeIndex(bytes), what).toBeUndefined();
  });

  it('recalls an entry only where the listing gives the same tag, for the same kind of object', () => {
    const memo = new RecordsMemo(entries, listing({ [tagsKey]: '"t1"', [stateKey]: '"s2"' }));
    expect(memo.recall(tagsKey, 'tags')?.value).toEqual({ 'gitops:commit': 'a'.repeat(40) });
    expect(memo.recall(stateKey, 'state')).toBeUndefined();
    expect(memo.recall(tagsKey, 'state')).toBeUndefined();
    // A store whose listing gives no tags recalls nothing.
    expect(new RecordsMemo(entries, listing({ [tagsKey]: undefined })).recall(tagsKey, 'tags')).toBeUndefined();
  });

  it('writes what was used and read, keeps other stacks still listed, drops what left the backend, and nothing when nothing changed', () => {
    const other = '.pulumi/stacks/app/prod.pulumi-tags';
    const gone = '.pulumi/stacks/app/old.pulumi-tags';
    const held = new Map<string, IndexEntry>([
      ...entries,
      [other, { kind: 'tags', etag: '"p1"', value: {} }],
      [gone, { kind: 'tags', etag: '"o1"', value: {} }],
    ]);
    const listed = listing({ [tagsKey]: '"t1"', [stateKey]: '"s2"', [other]: '"p1"' });
    const memo = new RecordsMemo(held, listed);
    memo.recall(tagsKey, 'tags');
    memo.remember(stateKey, 'state', '"s2"', { live: 3, resources: 4, pending: [] });
    const next = memo.next((k) => k.includes('/dev.'))!;
    expect([...next.keys()].sort()).toEqual([stateKey, tagsKey, other].sort());
    expect(next.get(stateKey)).toEqual({ kind: 'state', etag: '"s2"', value: { live: 3, resources: 4, pending: [] } });
    const again = new RecordsMemo(next, listed);
    again.recall(tagsKey, 'tags');
    again.recall(stateKey, 'state');
    expect(again.next((k) => k.includes('/dev.'))).toBeUndefined();
    // An object read without a tag (a store that gives none) is not remembered.
    const untagged = new RecordsMemo(new Map(), listed);
    untagged.remember(stateKey, 'state', undefined, { live: 1, resources: 2, pending: [] });
    expect(untagged.next(() => true)).toBeUndefined();
  });
});
