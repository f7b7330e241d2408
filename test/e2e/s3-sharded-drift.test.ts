import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDS_INDEX_KEY } from '../../src/backend-state/records-index.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * Drift sharded 4 ways, from 4 processes at once, on one S3 state (as 4 parallel CI jobs would
 * run it): every stack is reported by exactly one shard, drift is found where it is, and
 * remediation from 4 processes at once leaves a clean state.
 */
const SHARDS = 4;
const names = Array.from({ length: 8 }, (_, i) => `edge-${i + 1}`);
const drifted = ['edge-2', 'edge-5', 'edge-7'];
const stackFile = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n`;

interface DriftDoc {
  stacks: { name: string; status: string; action: string }[];
}

describe('sharded drift on one S3 state', () => {
  let s3: S3Server;
  let box: Sandbox;
  const shards = (...extra: string[]): Promise<CliRun[]> =>
    Promise.all(
      Array.from({ length: SHARDS }, (_, i) =>
        box.run(['drift', '--all', '--json', '--quiet', '--shard', `${i + 1}/${SHARDS}`, ...extra], s3.env()),
      ),
    );
  const stacksOf = (r: CliRun) => (JSON.parse(r.stdout) as DriftDoc).stacks;

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    box = await createSandbox({ stacks: Object.fromEntries(names.map((n, i) => [n, stackFile(9100 + i)])) });
    const r = await box.run(['deploy', '--all', '--quiet'], s3.env());
    expect(r.code, r.stderr).toBe(0);
    const states = (await s3.client.listKeys(s3.bucket, '.pulumi/stacks/')).filter((k) => k.endsWith('.json'));
    expect(states.sort()).toEqual(names.map((n) => `.pulumi/stacks/local-base/${n}.json`).sort());
  });
  afterAll(async () => {
    await box?.dispose();
    await s3?.stop();
  });

  it('4 shards at once report each stack exactly once, and find the drift where it is', async () => {
    for (const name of drifted)
      await writeFile(path.join(box.root, '.gitops', 'demo', name, 'platform.json'), '{"hostname": "evil.example"}\n');
    const started = Date.now();
    const runs = await shards();
    process.stderr.write(`[sharded drift] 4 shards, ${names.length} stacks: ${Date.now() - started} ms\n`);
    const reported = runs.flatMap(stacksOf);
    expect(reported.map((s) => s.name).sort()).toEqual([...names].sort());
    for (const [i, r] of runs.entries()) {
      const mine = stacksOf(r);
      expect(mine.length, `shard ${i + 1}`).toBeGreaterThan(0);
      expect(
        mine.every((s) => s.status === 'succeeded'),
        r.stderr,
      ).toBe(true);
      expect(r.code, r.stderr).toBe(mine.some((s) => drifted.includes(s.name)) ? 3 : 0);
    }
    expect(
      reported
        .filter((s) => s.action === 'reported')
        .map((s) => s.name)
        .sort(),
    ).toEqual(drifted);
  });

  it('4 shards remediating at once fix every drifted stack; a full run after is clean', async () => {
    const runs = await shards('--remediate');
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    expect(
      runs
        .flatMap(stacksOf)
        .filter((s) => s.action === 'remediated')
        .map((s) => s.name)
        .sort(),
    ).toEqual(drifted);
    const clean = await box.run(['drift', '--all', '--json', '--quiet'], s3.env());
    expect(clean.code, clean.stderr).toBe(0);
    expect(stacksOf(clean).every((s) => s.action === 'none')).toBe(true);
    expect(await s3.client.listKeys(s3.bucket, '.pulumi/locks/')).toEqual([]);
    // The full run (more than a few stacks, the whole backend listed) left the records index.
    expect(await s3.client.listKeys(s3.bucket, '.gitops/records-index')).toEqual([RECORDS_INDEX_KEY]);
  });
});
