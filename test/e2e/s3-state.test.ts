import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../helpers/git-repo.js';
import { S3Client } from '../helpers/s3-client.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * State in a real S3-compatible store (SeaweedFS on loopback, credentials checked): deploy,
 * drift detected and remediated, and destroy, through the real `gitops` binary, with the state
 * read back over the S3 API.
 */
const stackFile = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\nallowDestroy: true\n`;
const stateKey = '.pulumi/stacks/local-base/edge-1.json';

interface StateDoc {
  checkpoint: { latest?: { resources?: { type: string; urn: string }[] } };
}

describe('state in S3 (SeaweedFS)', () => {
  let s3: S3Server;
  let box: Sandbox;
  const gitops = (...args: string[]): Promise<CliRun> => box.run(args, s3.env());
  const settingsFile = () => path.join(box.root, '.gitops', 'demo', 'edge-1', 'platform.json');
  const state = async () => JSON.parse(await s3.client.getText(s3.bucket, stateKey)) as StateDoc;
  const noCredentials = (r: CliRun) => {
    for (const secret of [s3.credentials.accessKeyId, s3.credentials.secretAccessKey]) expect(r.stdout + r.stderr).not.toContain(secret);
  };

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    process.stderr.write(`[seaweedfs] S3 API ready in ${s3.startMs.ready} ms, bucket in ${s3.startMs.bucket} ms\n`);
    box = await createSandbox({ stacks: { 'edge-1': stackFile(9100) } });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'initial']);
  });
  afterAll(async () => {
    await box?.dispose();
    await s3?.stop();
  });

  it('checks credentials: anonymous and wrongly signed requests are refused', async () => {
    expect((await new S3Client(s3.endpoint, undefined).send('GET', `/${s3.bucket}?list-type=2`)).status).toBe(403);
    const forged = new S3Client(s3.endpoint, { accessKeyId: s3.credentials.accessKeyId, secretAccessKey: 'not-the-secret' });
    expect((await forged.send('GET', `/${s3.bucket}?list-type=2`)).status).toBe(403);
    expect(await s3.client.listKeys(s3.bucket)).toEqual([]);
  });

  it('a deploy with a wrong secret fails without printing the credentials', async () => {
    const r = await box.run(['deploy', '--all'], { ...s3.env(), AWS_SECRET_ACCESS_KEY: 'wrong-secret-1234567890' });
    expect(r.code, r.stderr).toBe(1);
    // Reading the stack's deploy record (forward-only check) is what meets the refusal first: one error naming the stack.
    expect(r.stderr).toMatch(/error: stack edge-1: .*(StatusCode:|HTTP) 403/);
    expect(r.stderr).not.toContain('code: -2');
    expect(r.stderr).toContain('SignatureDoesNotMatch');
    expect(r.stdout + r.stderr).not.toContain('wrong-secret-1234567890');
    noCredentials(r);
    expect(await s3.client.listKeys(s3.bucket, '.pulumi/stacks/')).toEqual([]);
  });

  it('deploy writes the stack state into the bucket, and nothing on local disk', async () => {
    const r = await gitops('deploy', '--all');
    expect(r.code, r.stderr).toBe(0);
    noCredentials(r);
    // Beside the state, Pulumi keeps the previous version as `<state>.bak`, and the stack's tags
    // (`gitops:commit`, the deployed commit) as `<stack>.pulumi-tags`.
    const keys = await s3.client.listKeys(s3.bucket, '.pulumi/stacks/');
    expect(keys).toContain(stateKey);
    expect(keys).toContain('.pulumi/stacks/local-base/edge-1.pulumi-tags');
    expect(keys.every((k) => k.startsWith(stateKey) || k === '.pulumi/stacks/local-base/edge-1.pulumi-tags')).toBe(true);
    const resources = (await state()).checkpoint.latest?.resources ?? [];
    expect(resources.filter((res) => res.type.includes('gitops:demo:LocalFile')).map((res) => res.urn)).toEqual([
      'urn:pulumi:edge-1::local-base::pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource::platform-settings',
    ]);
    expect(JSON.parse(await readFile(settingsFile(), 'utf8'))).toEqual({ hostname: 'localhost', basePort: 9100 });
    expect(existsSync(path.join(box.root, '.gitops', 'state'))).toBe(false);
    // No lock is left behind: neither Pulumi's nor ours.
    expect(await s3.client.listKeys(s3.bucket, '.pulumi/locks/')).toEqual([]);
    expect(await s3.client.listKeys(s3.bucket, '.gitops/locks/')).toEqual([]);
  });

  it('drift: an edited file is detected (exit 3), remediated (exit 0), and the next run is clean', async () => {
    await writeFile(settingsFile(), '{"hostname": "evil.example", "basePort": 1}\n');
    const detected = await gitops('drift', '--all', '--json');
    expect(detected.code, detected.stderr).toBe(3);
    const doc = JSON.parse(detected.stdout) as { stacks: { name: string; action: string }[] };
    expect(doc.stacks).toEqual([expect.objectContaining({ name: 'edge-1', action: 'reported' })]);
    await expect(readFile(settingsFile(), 'utf8')).resolves.toContain('evil.example');

    const fixed = await gitops('drift', '--all', '--remediate');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(await readFile(settingsFile(), 'utf8'))).toEqual({ hostname: 'localhost', basePort: 9100 });
    const clean = await gitops('drift', '--all');
    expect(clean.code, clean.stderr).toBe(0);
    noCredentials(clean);
  });

  it('destroy: deleting the stack file and deploying the merge removes its resources from the store', async () => {
    await box.remove('stacks/edge-1.yaml');
    await runGit(box.root, ['commit', '-q', '-am', 'retire edge-1']);
    const r = await gitops('deploy', '--base', 'HEAD~1');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(settingsFile())).toBe(false);
    // Destroy empties the stack; its state object stays, with no resources.
    expect((await state()).checkpoint.latest?.resources ?? []).toEqual([]);
    expect(await s3.client.listKeys(s3.bucket, '.pulumi/locks/')).toEqual([]);
  });
});
