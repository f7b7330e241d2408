import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLockRecord } from '../../src/state-lock/lock-record.js';
import { S3LockStore } from '../../src/state-lock/s3-lock-store.js';
import { acquireStackLock, readStackLock } from '../../src/state-lock/stack-lock.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * The gitops stack lock on a real S3 store (SeaweedFS): what it relies on, checked against the
 * server, not assumed. A create with `If-None-Match: *` lets exactly one of many simultaneous
 * writers through; a delete with a stale `If-Match` is refused; and the lock sits beside the
 * state under the backend URL's path and `prefix=`.
 */
// The AWS SDK warns that its 2027 releases need Node 22; bin/gitops.js silences it the same way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('gitops stack lock on S3 (SeaweedFS)', () => {
  let s3: S3Server;
  const open = (url = s3.backendUrl()) => S3LockStore.open(url, s3.credentials);

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('of 16 simultaneous conditional creates of one lock, exactly one succeeds, 10 times over', async () => {
    const store = await open();
    for (let round = 0; round < 10; round++) {
      const stack = `race-${round}`;
      const tags = await Promise.all(Array.from({ length: 16 }, (_, i) => store.create('proj', stack, `{"writer": ${i}}`)));
      const winners = tags.flatMap((t, i) => (t === undefined ? [] : [i]));
      expect(winners, `round ${round}`).toHaveLength(1);
      // The object holds the winner's text: the losers wrote nothing.
      expect((await store.read('proj', stack))?.text).toBe(`{"writer": ${winners[0]}}`);
    }
  });

  it('the server refuses a delete whose If-Match names another version; remove() leaves a lock that is not ours', async () => {
    const store = await open();
    const first = await store.create('proj', 'cond', 'one');
    expect(first).toBeDefined();
    // Raw requests, past the store's own compare: the server itself honours both conditions.
    const key = '/gitops-state/.gitops/locks/proj/cond.json';
    expect((await s3.client.send('PUT', key, 'two', { 'If-None-Match': '*' })).status).toBe(412);
    expect((await s3.client.send('DELETE', key, '', { 'If-Match': '"0123456789abcdef0123456789abcdef"' })).status).toBe(412);
    expect(await store.remove('proj', 'cond', '"0123456789abcdef0123456789abcdef"')).toBe('changed');
    expect((await store.read('proj', 'cond'))?.text).toBe('one');
    expect(await store.remove('proj', 'cond', first!)).toBe('removed');
    expect(await store.read('proj', 'cond')).toBeUndefined();
    expect(await store.remove('proj', 'cond', first!)).toBe('gone');
  });

  it('the lock sits beside the state: under the URL path and prefix=, named by project and stack', async () => {
    const base = s3.backendUrl();
    const [bucketUrl, query] = base.split('?') as [string, string];
    const store = await open(`${bucketUrl}/team-a?${query}&prefix=envs/`);
    expect(store.where('web', 'prod')).toBe('s3://gitops-state/envs/team-a/.gitops/locks/web/prod.json');
    const held = await acquireStackLock(store, { name: 'web-prod', project: 'web', stack: 'prod' });
    expect(await s3.client.listKeys(s3.bucket, 'envs/team-a/.gitops/locks/')).toEqual(['envs/team-a/.gitops/locks/web/prod.json']);
    const record = parseLockRecord(await s3.client.getText(s3.bucket, 'envs/team-a/.gitops/locks/web/prod.json'));
    expect(record).toMatchObject({ project: 'web', stack: 'prod', pid: process.pid });
    expect(record?.runId).toMatch(/^[0-9a-f-]{36}$/);
    await expect(acquireStackLock(store, { name: 'web-prod', project: 'web', stack: 'prod' })).rejects.toMatchObject({
      code: 'STACK_LOCKED',
      message: expect.stringMatching(
        new RegExp(
          `^stack web-prod is locked by another run: created by \\S+@\\S+ \\(pid ${process.pid}\\) at \\S+ \\(\\d+s ago\\); command: .+; still running on this host$`,
        ),
      ),
    });
    expect((await readStackLock(store, { name: 'web-prod', project: 'web', stack: 'prod' }))?.holder.state).toBe('alive');
    expect(await held.release()).toBe('removed');
    expect(await s3.client.listKeys(s3.bucket, 'envs/')).toEqual([]);
  });
});
