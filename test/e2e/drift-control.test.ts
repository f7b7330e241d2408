import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Drift control over several stacks on the real engine: a property changed, a resource
 * deleted, and a change whose fix needs a replace; detect-only against remediate, the guard,
 * a clean second run, the history, and one GitLab issue per drifted stack opened, updated
 * and closed on the local forge server.
 */
const edge = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n`;

interface DriftDoc {
  stacks: {
    name: string;
    status: string;
    action: string;
    resources: { name: string; op: string; properties: { path: string; old?: string; new?: string }[] }[];
    blockedReason?: string;
  }[];
}

describe('drift control', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  const env = () => ciEnv(forge, 'gitlab');
  const drift = (...args: string[]): Promise<CliRun> =>
    box.run(['drift', '--all', '--json', '--notify', '--history', 'drift.jsonl', '--markdown', 'drift.md', ...args], env());
  const doc = (r: CliRun) => JSON.parse(r.stdout) as DriftDoc;
  const stack = (r: CliRun, name: string) => doc(r).stacks.find((s) => s.name === name)!;
  const demo = (rel: string) => path.join(box.root, '.gitops', 'demo', rel);
  const issues = () => forge.state.project('gitlab', testProjects.gitlab).issues;
  const openIssues = () =>
    issues()
      .filter((i) => i.state === 'open')
      .map((i) => i.title)
      .sort();

  beforeAll(async () => {
    forge = await startForgeServer();
    box = await createSandbox({ stacks: { 'edge-1': edge(9100), 'edge-2': edge(9200) }, keepStacks: true });
    const r = await box.run(['deploy', '--all']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('a clean environment: exit 0, no issue', async () => {
    const r = await drift();
    expect(r.code, r.stderr).toBe(0);
    expect(issues()).toHaveLength(0);
  });

  it('detects three kinds of out-of-band change per property, writes nothing, opens one issue per drifted stack', async () => {
    await writeFile(demo('edge-1/platform.json'), '{"hostname": "evil.example", "basePort": 1}\n');
    await rm(demo('edge-2/platform.json'));
    await chmod(demo('demo-web/credentials'), 0o644);
    const r = await drift();
    expect(r.code, r.stderr).toBe(3);
    expect(stack(r, 'edge-1')).toMatchObject({
      action: 'reported',
      resources: [
        {
          name: 'platform-settings',
          op: 'update',
          properties: [expect.objectContaining({ path: 'content', new: '{"hostname": "evil.example", "basePort": 1}\n' })],
        },
      ],
    });
    expect(stack(r, 'edge-2')).toMatchObject({
      action: 'reported',
      resources: [expect.objectContaining({ name: 'platform-settings', op: 'delete' })],
    });
    expect(stack(r, 'demo-web')).toMatchObject({
      action: 'reported',
      resources: [
        expect.objectContaining({
          name: 'credentials',
          op: 'update',
          properties: [expect.objectContaining({ path: 'mode', old: '600', new: '644' })],
        }),
      ],
    });
    expect(stack(r, 'demo-base').action).toBe('none');
    await expect(readFile(demo('edge-1/platform.json'), 'utf8')).resolves.toContain('evil.example');
    expect(openIssues()).toEqual(['Drift on stack demo-web', 'Drift on stack edge-1', 'Drift on stack edge-2']);
    const md = await readFile(path.join(box.root, 'drift.md'), 'utf8');
    expect(md).toContain('### Drift report: 3 of 4 stacks with drift');
    expect(md).toContain('**credentials** `demo LocalFile`\n\n`mode`\n\n```diff\n--- Git\n+++ live\n@@ -1,1 +1,1 @@\n-600\n+644\n```');
  });

  it('a second detect-only run updates the same issues instead of opening new ones', async () => {
    const r = await drift();
    expect(r.code).toBe(3);
    expect(issues()).toHaveLength(3);
    expect(forge.requests.filter((q) => q.method === 'PUT' && /\/issues\/\d+$/.test(q.path)).length).toBeGreaterThanOrEqual(3);
  });

  it('remediation fixes what it safely can; the guard holds back the replace', async () => {
    const r = await drift('--remediate');
    expect(r.code, r.stderr).toBe(3);
    expect(stack(r, 'edge-1').action).toBe('remediated');
    expect(stack(r, 'edge-2').action).toBe('remediated');
    expect(stack(r, 'demo-web')).toMatchObject({ action: 'blocked', blockedReason: expect.stringContaining('would replace credentials') });
    expect(JSON.parse(await readFile(demo('edge-1/platform.json'), 'utf8'))).toEqual({ hostname: 'localhost', basePort: 9100 });
    expect(JSON.parse(await readFile(demo('edge-2/platform.json'), 'utf8'))).toEqual({ hostname: 'localhost', basePort: 9200 });
    expect(openIssues()).toEqual(['Drift on stack demo-web']);
  });

  it('with --allow-destroy the replace runs, the last issue closes, and the next run is clean', async () => {
    const r = await drift('--remediate', '--allow-destroy');
    expect(r.code, r.stderr).toBe(0);
    expect(stack(r, 'demo-web').action).toBe('remediated');
    expect(openIssues()).toEqual([]);
    const clean = await drift();
    expect(clean.code, clean.stderr).toBe(0);
    expect(doc(clean).stacks.every((s) => s.action === 'none')).toBe(true);
  });

  it('the history says when drift appeared and when it was fixed', async () => {
    const r = await box.run(['drift', 'history', '--file', 'drift.jsonl', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const h = JSON.parse(r.stdout) as { runs: number; episodes: { stack: string; fixedBy?: string; runs: number }[] };
    expect(h.runs).toBe(6);
    expect(h.episodes.map((e) => [e.stack, e.fixedBy, e.runs])).toEqual([
      ['demo-web', 'remediation', 4],
      ['edge-1', 'remediation', 3],
      ['edge-2', 'remediation', 3],
    ]);
  });

  // A secure value that does not decrypt is the user's input (a wrong passphrase, or a value
  // encrypted under another salt): that stack fails naming itself, the others still run, and the
  // run exits 2, as for any bad input (issue 11).
  it('a stack whose secrets do not decrypt fails alone: the others still run, and the run exits 2', async () => {
    await box.write(
      'stacks/broken.yaml',
      'program: local-base\nconfig:\n  local-base:x:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nencryptionSalt: v1:YoZ7QMaaiwQ=:v1:SrQf0NqXfh7Da4rT:dvtZd4XNHDFKq1cfj0djXfk+A40NMQ==\n',
    );
    const r = await box.run(['drift', '--all', '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(stack(r, 'broken')).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'PASSPHRASE_INVALID' }) });
    expect(r.stderr).toContain('stack broken: the passphrase does not decrypt');
    expect(
      doc(r)
        .stacks.filter((s) => s.name !== 'broken')
        .every((s) => s.status === 'succeeded' && s.action === 'none'),
    ).toBe(true);
  });
});
