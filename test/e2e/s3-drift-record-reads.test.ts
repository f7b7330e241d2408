import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDS_INDEX_KEY } from '../../src/backend-state/records-index.js';
import { runGit } from '../helpers/git-repo.js';
import { type S3RequestCounter, startS3RequestCounter } from '../helpers/s3-request-counter.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * A drift run reads each stack's deploy record once: the remediation guard (the deployed
 * commit), the ignore rules and the pending-operations check share one read. Counted at the
 * wire, on SeaweedFS through a proxy that tells gitops' requests (AWS SDK for JavaScript) from
 * the Pulumi engine's (AWS SDK for Go), with the real engine detecting and remediating drift.
 */
const stackFile = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n`;
const stacks = ['edge-1', 'edge-2', 'edge-3'];

describe('drift on S3: each deploy record read once per run', () => {
  let s3: S3Server;
  let counter: S3RequestCounter;
  let box: Sandbox;
  const gitops = (...args: string[]): Promise<CliRun> =>
    box.run(args, {
      ...s3.env(),
      PULUMI_BACKEND_URL: `s3://${s3.bucket}?endpoint=${encodeURIComponent(counter.endpoint)}&use_path_style=true&region=us-east-1`,
    });
  const gets = (prefix: string) => {
    const by = new Map<string, number>();
    for (const r of counter.seen())
      if (r.sender === 'gitops' && r.kind === 'GET' && r.key.startsWith(prefix)) by.set(r.key, (by.get(r.key) ?? 0) + 1);
    return by;
  };

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    counter = await startS3RequestCounter(s3.endpoint);
    box = await createSandbox({ stacks: Object.fromEntries(stacks.map((s, i) => [s, stackFile(9300 + i)])) });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'initial']);
    const deployed = await gitops('deploy', '--all');
    expect(deployed.code, deployed.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
    await counter?.stop();
    await s3?.stop();
  });

  it('detects and remediates drift on two stacks, one state and one tags read per stack, no object read twice', async () => {
    for (const s of ['edge-1', 'edge-2']) {
      await writeFile(path.join(box.root, '.gitops', 'demo', s, 'platform.json'), '{"hostname": "evil.example", "basePort": 1}\n');
    }
    counter.reset();
    const r = await gitops('drift', '--all', '--remediate', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { stacks: { name: string; action: string }[] };
    expect(Object.fromEntries(doc.stacks.map((s) => [s.name, s.action]))).toEqual({
      'edge-1': 'remediated',
      'edge-2': 'remediated',
      'edge-3': 'none',
    });
    // The engine read and wrote the state through the proxy too: the count tells the senders apart.
    expect(counter.count('pulumi').GET).toBeGreaterThan(0);
    const records = gets('.pulumi/');
    expect([...records].filter(([, n]) => n > 1)).toEqual([]);
    for (const s of stacks) {
      expect(records.get(`.pulumi/stacks/local-base/${s}.json`), `${s} state`).toBe(1);
      expect(records.get(`.pulumi/stacks/local-base/${s}.pulumi-tags`), `${s} tags`).toBe(1);
    }
    // The commit tag names the deployed commit: no update record is needed.
    expect([...records.keys()].filter((k) => k.startsWith('.pulumi/history/'))).toEqual([]);
    // Three stacks are read from their own folders: the records index is neither read nor written.
    expect(counter.seen().filter((r) => r.sender === 'gitops' && r.key === RECORDS_INDEX_KEY)).toEqual([]);
  });
});
