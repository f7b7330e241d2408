import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failedUpdateNote, healthOf } from '../../src/actions/stack-health.js';
import { FileStateObjects } from '../../src/backend-state/file-state-objects.js';
import { type RecordNeeds, type RecordRead, readStackRecords } from '../../src/backend-state/read-records.js';
import type { StateObjects } from '../../src/backend-state/state-objects.js';

/**
 * The direct reader of a DIY backend over a folder laid out as Pulumi 3.248 lays it out
 * (checked against the real CLI in test/e2e/backend-records.test.ts): project and legacy
 * layouts, gzip, history fallback, damage, and the health status draws from it.
 */
const sha = 'a'.repeat(40);
const checkpoint = (resources: { type: string }[], pending: unknown[] = []) =>
  JSON.stringify({
    version: 3,
    checkpoint: {
      stack: 'organization/app/dev',
      latest: { manifest: { time: '2026-12-01T10:00:00Z' }, resources, ...(pending.length ? { pending_operations: pending } : {}) },
    },
  });
const live = [{ type: 'pulumi:pulumi:Stack' }, { type: 'pulumi:providers:pulumi-nodejs' }, { type: 'pulumi-nodejs:dynamic:Resource' }];
const update = (kind: string, result: string, message = '') =>
  JSON.stringify({ kind, result, message, startTime: 1764583200, endTime: 1764583210 });

describe('reading a DIY backend directly', () => {
  let dir: string;
  const put = async (key: string, body: string | Buffer, mtime?: number) => {
    const file = path.join(dir, key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, body);
    if (mtime) await utimes(file, mtime, mtime);
  };
  const read = async (stacks: string[], project = 'app'): Promise<Map<string, RecordRead>> =>
    readStackRecords(
      new FileStateObjects(dir),
      stacks.map((s) => ({ name: s, project, stack: s })),
      4,
    );
  const ok = (r: RecordRead | undefined) => {
    if (!r?.ok) throw new Error(r && !r.ok ? r.error.message : 'no record');
    return r;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'records-'));
    await put('.pulumi/meta.yaml', 'version: 1\n');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('reads tags, the latest update, the version and the state of a project-scoped stack', async () => {
    await put('.pulumi/stacks/app/dev.json', checkpoint(live));
    await put('.pulumi/stacks/app/dev.pulumi-tags', JSON.stringify({ version: 1, tags: { 'gitops:commit': sha, team: 'a' } }));
    await put(
      '.pulumi/history/app/dev/dev-1764583100000000000.history.json',
      update('update', 'succeeded', 'gitops deploy of aaaaaaaaaaaa'),
    );
    await put('.pulumi/history/app/dev/dev-1764583100000000000.checkpoint.json', checkpoint(live));
    await put('.pulumi/history/app/dev/dev-1764583200000000000.history.json', update('refresh', 'succeeded'));
    const r = ok((await read(['dev'])).get('dev'));
    expect(r.deployedCommit).toBe(sha);
    expect(r.record).toMatchObject({
      exists: true,
      tags: { 'gitops:commit': sha, team: 'a' },
      version: 2,
      state: { live: 1, pending: [] },
    });
    expect(r.record?.latestUpdate).toEqual({
      kind: 'refresh',
      result: 'succeeded',
      message: '',
      startTime: 1764583200,
      endTime: 1764583210,
    });
    expect(r.record?.pulumiLocks).toEqual([]);
  });

  it('without a commit tag, takes the newest successful gitops deploy from the history, and a newer destroy means none', async () => {
    await put('.pulumi/stacks/app/old.json', checkpoint(live));
    await put(
      '.pulumi/history/app/old/old-1764583100000000000.history.json',
      update('update', 'succeeded', 'gitops deploy of bbbbbbbbbbbb'),
    );
    await put('.pulumi/history/app/old/old-1764583200000000000.history.json', update('update', 'failed', 'gitops deploy of cccccccccccc'));
    await put('.pulumi/stacks/app/gone.json', checkpoint([]));
    await put(
      '.pulumi/history/app/gone/gone-1764583100000000000.history.json',
      update('update', 'succeeded', 'gitops deploy of bbbbbbbbbbbb'),
    );
    await put('.pulumi/history/app/gone/gone-1764583200000000000.history.json', update('destroy', 'succeeded'));
    const reads = await read(['old', 'gone', 'never']);
    expect(ok(reads.get('old')).deployedCommit).toBe('bbbbbbbbbbbb');
    expect(ok(reads.get('old')).record?.latestUpdate?.result).toBe('failed');
    expect(ok(reads.get('gone')).deployedCommit).toBeUndefined();
    expect(ok(reads.get('never')).record).toMatchObject({ exists: false, version: 0, tags: {} });
  });

  it('reads the legacy layout (no meta.yaml: stacks filed by name alone)', async () => {
    await rm(path.join(dir, '.pulumi/meta.yaml'));
    await put('.pulumi/stacks/dev.json', checkpoint(live));
    await put('.pulumi/stacks/dev.pulumi-tags', JSON.stringify({ version: 1, tags: { 'gitops:commit': sha } }));
    await put('.pulumi/history/dev/dev-1764583100000000000.history.json', update('update', 'succeeded'));
    const r = ok((await read(['dev'])).get('dev'));
    expect(r.deployedCommit).toBe(sha);
    expect(r.record?.version).toBe(1);
  });

  it('of a plain and a gzipped state file, reads the newer, as Pulumi does', async () => {
    await put('.pulumi/stacks/app/dev.json', checkpoint([]), 1_700_000_000);
    await put('.pulumi/stacks/app/dev.json.gz', gzipSync(checkpoint(live)), 1_800_000_000);
    expect(ok((await read(['dev'])).get('dev')).record?.state?.live).toBe(1);
  });

  it('the same records whether read from the stack folders (a few stacks) or one listing of the whole backend (many)', async () => {
    const names = ['s1', 's2', 's3', 's4', 's5', 's6'];
    for (const n of names) {
      await put(`.pulumi/stacks/app/${n}.json`, checkpoint(live));
      await put(`.pulumi/stacks/app/${n}.pulumi-tags`, JSON.stringify({ version: 1, tags: { 'gitops:commit': sha } }));
      await put(`.pulumi/history/app/${n}/${n}-1764583100000000000.history.json`, update('update', 'succeeded'));
    }
    await put('.pulumi/locks/organization/app/s1/0b1c.json', '{}');
    await put('.gitops/unknown/app/s1.json', '{}');
    const many = await read(names);
    const few = await read(['s1']);
    expect(few.get('s1')).toEqual(many.get('s1'));
    expect(ok(few.get('s1')).record).toMatchObject({ unknownOutcomes: true, gitopsLock: false });
    expect(ok(few.get('s1')).record?.pulumiLocks[0]).toMatch(/\.pulumi\/locks\/organization\/app\/s1\/0b1c\.json$/);
  });

  it('a truncated, empty or foreign state file, or a damaged tags file, is an error naming the stack and the file', async () => {
    const whole = checkpoint(live);
    await put('.pulumi/stacks/app/cut.json', whole.slice(0, whole.length / 2));
    await put('.pulumi/stacks/app/empty.json', '');
    await put('.pulumi/stacks/app/foreign.json', '{"hello": 1}');
    await put('.pulumi/stacks/app/tagged.json', whole);
    await put('.pulumi/stacks/app/tagged.pulumi-tags', '{"version": 1, "tags": {"gitops:com');
    await put('.pulumi/stacks/app/zst.json.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    const reads = await read(['cut', 'empty', 'foreign', 'tagged', 'zst']);
    const message = (n: string) => {
      const r = reads.get(n)!;
      if (r.ok) throw new Error(`${n} was read as fine`);
      return r.error.message;
    };
    expect(message('cut')).toMatch(/^stack cut: its state file .*cut\.json cannot be read: it is not valid JSON, cut short or damaged/);
    expect(message('empty')).toMatch(/^stack empty: its state file .*empty\.json cannot be read: it is empty/);
    expect(message('foreign')).toMatch(/not a Pulumi checkpoint/);
    expect(message('tagged')).toMatch(/^stack tagged: its tags file .*tagged\.pulumi-tags cannot be read/);
    expect(message('zst')).toMatch(/zstd/);
    expect(healthOf('cut', reads.get('cut'))?.state).toBe('unreadable');
  });

  it('health: pending operations, unknown outcomes, locks and a partial deploy each have their own state', async () => {
    const pending = [
      {
        type: 'creating',
        resource: { urn: 'urn:pulumi:dev::app::pulumi-nodejs:dynamic:Resource::f', type: 'pulumi-nodejs:dynamic:Resource' },
      },
    ];
    await put('.pulumi/stacks/app/pend.json', checkpoint(live, pending));
    await put('.pulumi/stacks/app/lock.json', checkpoint(live));
    await put('.pulumi/stacks/app/lock.pulumi-tags', JSON.stringify({ version: 1, tags: { 'gitops:commit': sha } }));
    await put('.gitops/locks/app/lock.json', '{}');
    await put('.pulumi/stacks/app/part.json', checkpoint(live));
    await put(
      '.pulumi/history/app/part/part-1764583100000000000.history.json',
      update('update', 'failed', 'gitops deploy of aaaaaaaaaaaa'),
    );
    await put('.pulumi/stacks/app/clean.json', checkpoint([{ type: 'pulumi:pulumi:Stack' }, { type: 'pulumi:providers:aws' }]));
    const reads = await read(['pend', 'lock', 'part', 'clean']);
    expect(healthOf('pend', reads.get('pend'))).toMatchObject({ state: 'pending-operations' });
    expect(healthOf('pend', reads.get('pend'))?.reasons[1]).toMatch(
      /^creating f \(pulumi-nodejs:dynamic:Resource\), interrupted by 2026-12-01T10:00:00Z/,
    );
    expect(healthOf('lock', reads.get('lock'))).toMatchObject({
      state: 'locked',
      reasons: [expect.stringMatching(/the gitops stack lock/)],
    });
    expect(healthOf('part', reads.get('part'))).toEqual({
      state: 'partially-deployed',
      reasons: ['its state holds 1 live resource, but its last update failed'],
    });
    // Only the stack and its providers: nothing runs, so never deployed is the truth.
    expect(healthOf('clean', reads.get('clean'))).toBeUndefined();
    expect(failedUpdateNote(reads.get('part'))).toBe('its newest update at 2025-12-01T10:00:00Z failed');
  });

  it('reads each object once, and the newest update only when asked: a tagged stack then costs its state and tags', async () => {
    const names = ['t1', 't2', 't3', 't4', 't5', 'old'];
    for (const n of names) {
      await put(`.pulumi/stacks/app/${n}.json`, checkpoint(live));
      if (n !== 'old') await put(`.pulumi/stacks/app/${n}.pulumi-tags`, JSON.stringify({ version: 1, tags: { 'gitops:commit': sha } }));
      await put(
        `.pulumi/history/app/${n}/${n}-1764583100000000000.history.json`,
        update('update', 'succeeded', 'gitops deploy of bbbbbbbbbbbb'),
      );
      await put(`.pulumi/history/app/${n}/${n}-1764583200000000000.history.json`, update('refresh', 'failed'));
    }
    const reads: string[] = [];
    const files = new FileStateObjects(dir);
    const counted: StateObjects = {
      list: (prefix) => files.list(prefix),
      modifiedAt: (o) => files.modifiedAt(o),
      where: (key) => files.where(key),
      read: (key) => {
        reads.push(key);
        return files.read(key);
      },
      readTagged: (key) => {
        reads.push(key);
        return files.readTagged(key);
      },
    };
    const readWith = (needs?: RecordNeeds) =>
      readStackRecords(
        counted,
        names.map((n) => ({ name: n, project: 'app', stack: n })),
        4,
        needs,
      );
    const full = await readWith();
    expect(reads.length).toBe(new Set(reads).size);
    // meta.yaml, then per stack: state, tags (where there is one), the newest update; the untagged one also the older update.
    expect(reads).toHaveLength(1 + 6 + 5 + 6 + 1);
    expect(ok(full.get('t1')).record?.latestUpdate?.kind).toBe('refresh');
    expect(ok(full.get('old')).deployedCommit).toBe('bbbbbbbbbbbb');
    reads.length = 0;
    const lean = await readWith({ latestUpdate: false });
    expect(reads.filter((k) => k.includes('/history/'))).toEqual([
      '.pulumi/history/app/old/old-1764583200000000000.history.json',
      '.pulumi/history/app/old/old-1764583100000000000.history.json',
    ]);
    expect(reads).toHaveLength(1 + 6 + 5 + 2);
    expect(ok(lean.get('t1')).record?.latestUpdate).toBeUndefined();
    expect(ok(lean.get('t1')).deployedCommit).toBe(sha);
    expect(ok(lean.get('t1')).record?.state).toEqual(ok(full.get('t1')).record?.state);
    // The untagged stack's history was read to find its commit: its newest update comes with it.
    expect(ok(lean.get('old'))).toEqual(ok(full.get('old')));
  });

  it('of a damaged state file and a damaged tags file, read at once, the state file is named, whichever answers first', async () => {
    await put('.pulumi/stacks/app/both.json', '{"cut');
    await put('.pulumi/stacks/app/both.pulumi-tags', '{"version": 1, "tags": {"gitops:com');
    for (let i = 0; i < 5; i++) {
      const r = (await read(['both'])).get('both')!;
      expect(r.ok ? 'read as fine' : r.error.message).toMatch(/^stack both: its state file /);
    }
  });
});
