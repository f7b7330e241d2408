import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDecisions } from '../../src/engine/recover-state.js';
import {
  mergeUnknown,
  parseUnknownRecord,
  serializeUnknownRecord,
  typeOfUrn,
  type UnknownCreate,
  unknownCreatesOf,
  unknownOutcomeError,
  withoutUnknown,
} from '../../src/engine/unknown-outcome.js';
import { readUnknownCreates, recordUnknownCreates, settleUnknownCreates } from '../../src/engine/unknown-outcome-store.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { FileLockStore } from '../../src/state-lock/file-lock-store.js';

/** The pure half of unknown-outcome creates and their record; the real engine's side is in test/faults. */
const type = 'pulumi-nodejs:dynamic/gitops:faults:SlowFile:Resource';
const urn = (name: string): string => `urn:pulumi:s::p::${type}::${name}`;
const run = { at: '2026-11-27T15:00:01.123Z', command: 'node gitops deploy --stack web-prod', host: 'runner-1' };
const ref = { name: 'web-prod', project: 'p', stack: 's' };

describe('the record of creates of unknown outcome', () => {
  it('an entry carries URN, type (also under a parent), name, when and the command', () => {
    expect(typeOfUrn(urn('a'))).toBe(type);
    expect(typeOfUrn('urn:pulumi:s::p::my:comp:Comp$aws:s3/bucket:Bucket::b')).toBe('aws:s3/bucket:Bucket');
    expect(unknownCreatesOf([urn('a'), urn('a'), urn('b')], run)).toEqual([
      { urn: urn('a'), type, name: 'a', ...run },
      { urn: urn('b'), type, name: 'b', ...run },
    ]);
  });

  it('merges by URN keeping the first entry, removes settled ones, and round-trips through its text', () => {
    const [a, b] = unknownCreatesOf([urn('a'), urn('b')], run);
    const later: UnknownCreate = { ...a!, at: '2026-11-28T00:00:00.000Z' };
    const merged = mergeUnknown(mergeUnknown(undefined, ref, [a!]), ref, [later, b!]);
    expect(merged).toEqual({ version: 1, project: 'p', stack: 's', creates: [a, b] });
    expect(withoutUnknown(merged, [urn('a')]).creates).toEqual([b]);
    expect(parseUnknownRecord(serializeUnknownRecord(merged), 'x')).toEqual(merged);
  });

  it('a damaged record stops the stack naming where it is, instead of reading as empty', () => {
    for (const text of ['{"version":1,"creates":[{"urn":', '{"version":2,"creates":[]}', '{"version":1,"creates":[{"urn":"x"}]}']) {
      expect(() => parseUnknownRecord(text, '/state/.gitops/unknown/p/s.json')).toThrow(
        expect.objectContaining({
          code: 'ENGINE_ERROR',
          message: expect.stringContaining('at /state/.gitops/unknown/p/s.json is damaged'),
        }),
      );
    }
  });

  it('UNKNOWN_OUTCOME names each create and what to do, and exits 1', () => {
    const error = unknownOutcomeError('web-prod', unknownCreatesOf([urn('a'), urn('b')], run), '/state/.gitops/unknown/p/s.json');
    expect(error.code).toBe('UNKNOWN_OUTCOME');
    expect(exitCodeFor(error)).toBe(1);
    expect(error.message).toBe(
      "stack web-prod has 2 creates of unknown outcome: a run's provider died while they were in flight, and each may exist untracked; nothing was run",
    );
    expect(error.details).toEqual([
      `create a (${type}), provider died at 2026-11-27T15:00:01Z in \`node gitops deploy --stack web-prod\` on runner-1: ${urn('a')}`,
      `create b (${type}), provider died at 2026-11-27T15:00:01Z in \`node gitops deploy --stack web-prod\` on runner-1: ${urn('b')}`,
    ]);
    expect(error.hint).toContain('delete it by hand');
    expect(error.hint).toContain('`pulumi import`');
    expect(error.hint).toContain('`gitops recover --stack web-prod --forget URN`');
    expect(error.hint).toContain('/state/.gitops/unknown/p/s.json');
  });

  it('recover must decide each of them, and cannot --import one (no inputs were recorded)', () => {
    const unknown = unknownCreatesOf([urn('a'), urn('b')], run);
    expect(() => checkDecisions('s', [], { imports: [], forgets: [urn('a'), urn('b')] }, unknown)).not.toThrow();
    let error: unknown;
    try {
      checkDecisions('s', [], { imports: [{ urn: urn('a'), id: 'i-1' }], forgets: [urn('ghost')] }, unknown);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'USAGE' });
    expect((error as { details: string[] }).details).toEqual([
      `${urn('ghost')}: not a pending operation or a create of unknown outcome of stack s`,
      expect.stringContaining(`${urn('a')}: --import cannot adopt a create of unknown outcome`),
      `not decided: create b (${type}), provider died at 2026-11-27T15:00:01Z in \`node gitops deploy --stack web-prod\` on runner-1: ${urn('b')}`,
    ]);
  });
});

describe('the record in the lock store (file backend)', () => {
  let dir: string;
  const file = (): string => path.join(dir, '.gitops', 'unknown', 'p', 's.json');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-unknown-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sits beside the stack lock, under its own kind, and leaves the lock alone', async () => {
    const locks = new FileLockStore(dir);
    const store = locks.ofKind('unknown');
    expect(store.where('p', 's')).toBe(file());
    expect(await locks.create('p', 's', 'lock')).toBe('lock');
    await recordUnknownCreates(store, ref, unknownCreatesOf([urn('a')], run));
    expect(JSON.parse(await readFile(file(), 'utf8'))).toMatchObject({
      version: 1,
      project: 'p',
      stack: 's',
      creates: [{ urn: urn('a') }],
    });
    expect((await locks.read('p', 's'))?.text).toBe('lock');
  });

  it('replace is conditional: a version that moved or went is not overwritten', async () => {
    const store = new FileLockStore(dir).ofKind('unknown');
    expect(await store.replace('p', 's', 'new', 'old')).toBeUndefined();
    await store.create('p', 's', 'v1');
    expect(await store.replace('p', 's', 'v2', 'stale')).toBeUndefined();
    expect(await store.replace('p', 's', 'v2', 'v1')).toBe('v2');
    expect((await store.read('p', 's'))?.text).toBe('v2');
  });

  it('of 10 runs recording at once, none loses another one’s entries', async () => {
    const store = new FileLockStore(dir).ofKind('unknown');
    const names = Array.from({ length: 10 }, (_, i) => `r${i}`);
    await Promise.all(names.map((n) => recordUnknownCreates(store, ref, unknownCreatesOf([urn(n)], run))));
    expect((await readUnknownCreates(store, ref)).map((c) => c.name).sort()).toEqual(names.sort());
  });

  it('settling removes the named entries; the record goes with its last one', async () => {
    const store = new FileLockStore(dir).ofKind('unknown');
    expect(await readUnknownCreates(store, ref)).toEqual([]);
    await settleUnknownCreates(store, ref, [urn('a')]);
    await recordUnknownCreates(store, ref, unknownCreatesOf([urn('a'), urn('b')], run));
    await settleUnknownCreates(store, ref, [urn('a')]);
    expect((await readUnknownCreates(store, ref)).map((c) => c.name)).toEqual(['b']);
    await settleUnknownCreates(store, ref, [urn('b')]);
    expect(await readUnknownCreates(store, ref)).toEqual([]);
    await expect(readFile(file(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a damaged record is reported, never overwritten by a new entry', async () => {
    const store = new FileLockStore(dir).ofKind('unknown');
    await recordUnknownCreates(store, ref, unknownCreatesOf([urn('a')], run));
    await writeFile(file(), '{"version":1,"creates":[{"urn"');
    await expect(readUnknownCreates(store, ref)).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
    await expect(recordUnknownCreates(store, ref, unknownCreatesOf([urn('b')], run))).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
    expect(await readFile(file(), 'utf8')).toBe('{"version":1,"creates":[{"urn"');
  });
});
