import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLockStore } from '../../src/state-lock/file-lock-store.js';
import { newLockRecord, parseLockRecord } from '../../src/state-lock/lock-record.js';
import { parseS3BackendUrl } from '../../src/state-lock/s3-backend-url.js';
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

  it('a dead holder on this host is named as dead, with the unlock command; removal takes exactly that lock', async () => {
    const store = new FileLockStore(dir);
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    const dead = { ...newLockRecord('web', 'prod', new Date(Date.now() - 90_000)), pid, command: 'node gitops.js deploy --stack web-prod' };
    await store.create('web', 'prod', JSON.stringify(dead));
    const error = await acquireStackLock(store, s).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'STACK_LOCKED',
      message: expect.stringContaining(`(pid ${pid}) at `),
      hint: 'the run that took the lock is dead: clear it with `gitops unlock --stack web-prod`',
    });
    expect((error as Error).message).toMatch(
      /\(\d+s ago\); command: node gitops\.js deploy --stack web-prod; no longer running \(it was on this host\)$/,
    );
    const found = await readStackLock(store, s);
    expect(found?.holder.state).toBe('dead');
    expect(await removeStackLock(store, s, found!)).toBe('removed');
    expect(await readStackLock(store, s)).toBeUndefined();
  });

  it('a holder on another host cannot be checked from here: --force is the way out', async () => {
    const store = new FileLockStore(dir);
    await store.create('web', 'prod', JSON.stringify({ ...newLockRecord('web', 'prod'), host: 'runner-7', pid: 4242 }));
    await expect(acquireStackLock(store, s)).rejects.toMatchObject({
      message: expect.stringMatching(
        /created by \S+@runner-7 \(pid 4242\).*on another host: whether it still runs cannot be checked from here$/,
      ),
      hint: 'if that run is over (a killed CI job), clear the lock with `gitops unlock --stack web-prod --force`',
    });
  });

  it('an unreadable lock reads as a dead holder, so unlock can clear it', async () => {
    const store = new FileLockStore(dir);
    await store.create('web', 'prod', 'not json');
    expect((await readStackLock(store, s))?.holder).toMatchObject({ state: 'dead', pid: 0 });
  });
});
