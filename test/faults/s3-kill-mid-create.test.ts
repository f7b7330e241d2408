import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';
import { createFaultBox, type FaultBox, stillRunning, urnOf, waitFor } from './fault-box.js';

interface Checkpoint {
  resources: { urn: string; id?: string }[];
  pending: { type: string; urn: string }[];
}

/**
 * The mid-create kill of kill-mid-create.test.ts with the state in S3 (SeaweedFS on loopback):
 * the same pending creates, recovered the same way. The killed run leaves two locks in the
 * bucket, Pulumi's and the gitops lock that names its holder; the next run checks that holder
 * (dead, on this host) and takes both over, without `unlock`.
 */
describe('S3 backend: SIGKILL of a deploy mid-create, then recovery', () => {
  let s3: S3Server;
  let f: FaultBox;
  let leftovers: ProcessRef[] = [];
  const stack = 's3-killed';
  const names = ['steady', 'adopted', 'never'];
  const stateKey = `.pulumi/stacks/slow-files/${stack}.json`;
  const state = async (): Promise<Checkpoint> => {
    const doc = JSON.parse(await s3.client.getText(s3.bucket, stateKey)) as {
      checkpoint: { latest?: { resources?: Checkpoint['resources']; pending_operations?: { type: string; resource: { urn: string } }[] } };
    };
    const latest = doc.checkpoint.latest ?? {};
    return {
      resources: latest.resources ?? [],
      pending: (latest.pending_operations ?? []).map((p) => ({ type: p.type, urn: p.resource.urn })),
    };
  };
  const locks = (): Promise<string[]> => s3.client.listKeys(s3.bucket, `.pulumi/locks/`);
  const ourLock = `.gitops/locks/slow-files/${stack}.json`;
  const ourLocks = (): Promise<string[]> => s3.client.listKeys(s3.bucket, '.gitops/locks/');
  const noCredentials = (text: string): void => {
    for (const secret of [s3.credentials.accessKeyId, s3.credentials.secretAccessKey]) expect(text).not.toContain(secret);
  };

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    f = await createFaultBox(stack, 90_000, s3.env());
  });
  afterAll(async () => {
    await f?.box.dispose();
    await s3?.stop();
  });

  it('killed while two creates are in flight: the bucket holds the lock and the two pending creates', async () => {
    const run = f.start('deploy', '--stack', stack);
    try {
      await waitFor(
        'both slow creates to begin',
        () => existsSync(path.join(f.files, '.creating-adopted')) && existsSync(path.join(f.files, '.creating-never')),
      );
      await waitFor('the plugins to be watched', () => f.recorded().length >= 3);
      const until = Date.now() + 60_000;
      while (!(await state().catch(() => undefined))?.resources.some((r) => r.urn === urnOf(stack, 'steady'))) {
        if (Date.now() > until) throw new Error('timed out waiting for steady to be recorded in the bucket');
        await sleep(200);
      }
    } finally {
      leftovers = f.recorded();
      run.killGroup('SIGKILL');
    }
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    const s = await state();
    expect(s.pending.map((p) => `${p.type} ${p.urn}`).sort()).toEqual([
      `creating ${urnOf(stack, 'adopted')}`,
      `creating ${urnOf(stack, 'never')}`,
    ]);
    expect(await locks()).toHaveLength(1);
    // The gitops lock, beside the state, names the killed run.
    expect(JSON.parse(await s3.client.getText(s3.bucket, ourLock))).toMatchObject({ stack, pid: run.pid });
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);
    // Nothing of the state is kept on local disk.
    expect(existsSync(path.join(f.box.root, '.gitops', 'state'))).toBe(false);
  });

  it('the next deploy reaps the dead run’s processes and takes over both locks in the bucket without unlock', async () => {
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    noCredentials(r.stdout + r.stderr);
    expect(r.stderr).toMatch(/stopped \d+ processes a killed run left behind: .*dynamic-provider/);
    expect(r.stderr).toMatch(/\[s3-killed\] took over the lock of a dead run: created by \S+@\S+ \(pid \d+\) at \S+ \(\d+s ago\);/);
    expect(r.stderr).toMatch(/; command: \S*node \S+gitops\.js deploy --stack s3-killed; no longer running \(it was on this host\)/);
    const result = (JSON.parse(r.stdout) as { stacks: { error: { code: string } }[] }).stacks[0]!;
    expect(result.error.code).toBe('PENDING_OPERATIONS');
    expect(stillRunning(leftovers)).toEqual([]);
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);
    // Pulumi's lock went with the takeover (\`pulumi cancel\`); ours was released with the run.
    expect(await locks()).toEqual([]);
    expect(await ourLocks()).toEqual([]);
  });

  it('the next deploy stops on the pending creates, creating nothing', async () => {
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as { stacks: { error: { code: string } }[] }).stacks[0]!;
    expect(result.error.code).toBe('PENDING_OPERATIONS');
    expect(r.stderr).toContain('stack s3-killed has 2 pending operations from an interrupted run; nothing was run over them');
    expect(r.stderr).toContain('gitops recover --stack s3-killed --import URN=<its ID>');
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);
    expect((await state()).pending).toHaveLength(2);
    expect(await ourLocks()).toEqual([]);
  });

  it('recover adopts the created one and forgets the other', async () => {
    const { run: rec, adopted } = await f.adoptAndForget();
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toContain(`[s3-killed] adopted adopted (id ${adopted})`);
    expect(rec.stderr).toContain('[s3-killed] forgot the pending operation on never');
    const s = await state();
    expect(s.pending).toEqual([]);
    expect(s.resources.find((x) => x.urn === urnOf(stack, 'adopted'))?.id).toBe(adopted);
    expect(s.resources.some((x) => x.urn === urnOf(stack, 'never'))).toBe(false);
  });

  it('a plain deploy creates the forgotten one; every resource exists exactly once, no pending operation, lock or process', async () => {
    await f.setDelay(0);
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(0);
    noCredentials(r.stdout + r.stderr);
    const ops = (JSON.parse(r.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    expect(ops.sort()).toEqual(['create never', 'same adopted', 'same steady']);
    for (const name of names) expect(f.instances(name), name).toHaveLength(1);
    const s = await state();
    expect(s.pending).toEqual([]);
    for (const name of names)
      expect(
        s.resources.filter((x) => x.urn === urnOf(stack, name)),
        name,
      ).toHaveLength(1);
    expect(await locks()).toEqual([]);
    expect(await ourLocks()).toEqual([]);
    expect(stillRunning(leftovers)).toEqual([]);
    expect(f.recorded()).toEqual([]);
  });
});
