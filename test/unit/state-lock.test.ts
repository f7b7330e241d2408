import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseS3BackendUrl } from '../../src/backend/s3-backend-url.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { FileLockStore } from '../../src/state-lock/file-lock-store.js';
import { newLockRecord, parseLockRecord } from '../../src/state-lock/lock-record.js';
import { acquireStackLock, readStackLock, removeStackLock } from '../../src/state-lock/stack-lock.js';

describe('parseS3BackendUrl: the lock goes where Pulumi 3.248 (gocloud.dev v0.46) puts the state', () => {
  it('reads the path-style local endpoint the tests use', () => {
    expect(parseS3BackendUrl('s3://state?endpoint=http%3A%2F%2F127.0.0.1%3A9000&use_path_style=true&region=us-east-1')).toEqual({
      bucket: 'state',
      keyPrefix: '',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      forcePathStyle: true,
      anonymous: false,
      dualstack: false,
      fips: false,
    });
  });

  it('takes the v1 names (s3ForcePathStyle, disableSSL), a profile, and an endpoint without scheme as Pulumi does', () => {
    expect(parseS3BackendUrl('s3://b?endpoint=minio:9000&s3ForcePathStyle=true&disableSSL=true&profile=ci')).toMatchObject({
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
      profile: 'ci',
    });
    expect(parseS3BackendUrl('s3://b?endpoint=s3.example.com').endpoint).toBe('https://s3.example.com');
  });

  it('puts prefix= before the URL path, as gocloud then Pulumi wrap the bucket', () => {
    expect(parseS3BackendUrl('s3://b/team/a?prefix=envs/').keyPrefix).toBe('envs/team/a/');
    expect(parseS3BackendUrl('s3://b/team/').keyPrefix).toBe('team/');
  });

  it('refuses role= (the lock would be written with other credentials than the state), without printing the query', () => {
    expect(() => parseS3BackendUrl('s3://b?role=arn:aws:iam::1:role/x&endpoint=http://secret-host')).toThrow(
      expect.objectContaining({ code: 'USAGE', message: 'state backend s3://b: role= is not supported by the gitops stack lock' }),
    );
  });
});

describe('the gitops stack lock on a file backend', () => {
  let dir: string;
  const s = { name: 'web-prod', project: 'web', stack: 'prod' };
  const lockFile = () => path.join(dir, '.gitops', 'locks', 'web', 'prod.json');
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('of 20 simultaneous creates exactly one succeeds, and the file holds its text whole', async () => {
    const store = new FileLockStore(dir);
    const tags = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create('web', 'prod', `writer ${i}`)));
    const winners = tags.filter((t) => t !== undefined);
    expect(winners).toHaveLength(1);
    expect(await readFile(lockFile(), 'utf8')).toBe(winners[0]);
  });

  it('records who holds it; a second taker gets STACK_LOCKED naming the holder as alive; release removes only our lock', async () => {
    const store = new FileLockStore(dir);
    const held = await acquireStackLock(store, s);
    const record = parseLockRecord(await readFile(lockFile(), 'utf8'));
    expect(record).toMatchObject({ version: 1, project: 'web', stack: 'prod', pid: process.pid, host: os.hostname() });
    await expect(acquireStackLock(store, s)).rejects.toMatchObject({
      code: 'STACK_LOCKED',
      message: expect.stringMatching(
        /^stack web-prod is locked by another run: created by \S+@\S+ \(pid \d+\) at \S+ \(\d+s ago\); command: .+; still running on this host$/,
      ),
      hint: 'another run of this stack is in progress: wait for it to finish',
    });
    expect(await held.release()).toBe('removed');
    expect(await held.release()).toBe('gone');
  });

  it('a lock removed and taken again meanwhile is not ours to release', async () => {
    const store = new FileLockStore(dir);
    const held = await acquireStackLock(store, s);
    await rm(lockFile());
    const other = await acquireStackLock(store, s);
    expect(await held.release()).toBe('changed');
    expect(await readStackLock(store, s)).toBeDefined();
    expect(await other.release()).toBe('removed');
  });

  it('a dead holder on this host is taken over without unlock: the lock becomes ours, naming the holder it replaced', async () => {
    const store = new FileLockStore(dir);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const dead = { ...newLockRecord('web', 'prod', new Date(Date.now() - 90_000)), pid, command: 'node gitops.js deploy --stack web-prod' };
    await store.create('web', 'prod', JSON.stringify(dead));
    const found = await readStackLock(store, s);
    expect(found?.holder.state).toBe('dead');
    const held = await acquireStackLock(store, s);
    expect(held.tookOver).toMatchObject({ pid, state: 'dead', command: 'node gitops.js deploy --stack web-prod' });
    expect(parseLockRecord(await readFile(lockFile(), 'utf8'))).toMatchObject({
      pid: process.pid,
      runId: expect.not.stringMatching(dead.runId),
    });
    expect(await held.release()).toBe('removed');
    expect(await readStackLock(store, s)).toBeUndefined();
  });

  it('removal takes exactly the lock inspected', async () => {
    const store = new FileLockStore(dir);
    await store.create('web', 'prod', JSON.stringify({ ...newLockRecord('web', 'prod'), host: 'runner-7', pid: 4242 }));
    const found = await readStackLock(store, s);
    expect(await removeStackLock(store, s, found!)).toBe('removed');
    expect(await readStackLock(store, s)).toBeUndefined();
  });

  it('a holder on another host: while its lease runs, the error says when it may be taken; after, any runner takes it', async () => {
    const store = new FileLockStore(dir);
    const renewed = new Date(Date.now() - 60_000);
    const remote = { ...newLockRecord('web', 'prod', renewed, 120_000), host: 'runner-7', pid: 4242 };
    await store.create('web', 'prod', JSON.stringify(remote));
    const error = (await acquireStackLock(store, s).catch((e: unknown) => e)) as GitopsError;
    expect(error.code).toBe('STACK_LOCKED');
    expect(error.details[0]).toBe(`a live holder renews its lease every 40 s; it was last renewed at ${renewed.toISOString()}`);
    expect(error.details[1]).toMatch(
      /^if it is not renewed again, the holder is dead and the lock may be taken over from \S+Z \(in (59|60) s\), by any runner$/,
    );
    const later = new Date(Date.now() + 61_000);
    const held = await acquireStackLock(store, s, later);
    expect(held.tookOver).toMatchObject({ hostname: 'runner-7', pid: 4242, state: 'remote' });
    expect(await held.release()).toBe('removed');
  });

  it('a live holder renews its lease while it holds the lock', async () => {
    const store = new FileLockStore(dir);
    const held = await acquireStackLock(store, s, new Date(Date.now() - 10_000), { leaseMs: 3_000 });
    const first = parseLockRecord(await readFile(lockFile(), 'utf8'))!;
    await new Promise((r) => setTimeout(r, 1_300));
    const renewed = parseLockRecord(await readFile(lockFile(), 'utf8'))!;
    expect(Date.parse(renewed.renewedAt!)).toBeGreaterThan(Date.parse(first.renewedAt!));
    expect(renewed.runId).toBe(first.runId);
    expect(await held.release()).toBe('removed');
  });

  it('an unreadable lock reads as a dead holder, so unlock can clear it', async () => {
    const store = new FileLockStore(dir);
    await store.create('web', 'prod', 'not json');
    expect((await readStackLock(store, s))?.holder).toMatchObject({ state: 'dead', pid: 0 });
  });
});
