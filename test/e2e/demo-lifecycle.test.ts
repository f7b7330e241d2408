import { existsSync } from 'node:fs';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/** The plaintext of demo-web's `local-site:apiToken` (encrypted in stacks/demo-web.yaml). */
const SECRET = 'demo-api-token-7f3c91';

interface StackJson {
  name: string;
  status: string;
  action?: string;
  changes: Record<string, number>;
  resources: { name: string; op: string; changedProperties: string[]; properties?: { path: string; old?: string; new?: string }[] }[];
}

describe('the demo stacks on the real Pulumi engine', () => {
  let box: Sandbox;
  const runs: CliRun[] = [];
  const gitops = async (...args: string[]): Promise<CliRun> => {
    const r = await box.run(args);
    runs.push(r);
    return r;
  };
  const json = (r: CliRun): { stacks: StackJson[] } => JSON.parse(r.stdout) as { stacks: StackJson[] };
  const demo = (rel: string): string => path.join(box.root, '.gitops', 'demo', rel);

  beforeAll(async () => {
    box = await createSandbox();
  });
  afterAll(async () => {
    await box.dispose();
  });

  it('deploys both stacks, the dependency first', async () => {
    const r = await gitops('deploy', '--all', '--json');
    expect(r.code, r.stderr).toBe(0);
    const stacks = json(r).stacks;
    expect(stacks.map((s) => [s.name, s.status])).toEqual([
      ['demo-base', 'succeeded'],
      ['demo-web', 'succeeded'],
    ]);
    expect(stacks[1]!.changes.create).toBe(4);
    expect(stacks[1]!.resources.map((x) => `${x.op} ${x.name}`)).toEqual(
      expect.arrayContaining(['create index-html', 'create server-config', 'create credentials']),
    );
    // demo-web reads demo-base's outputs, so it must start only after demo-base is done.
    expect(r.stderr.indexOf('[demo-base] up done')).toBeGreaterThan(-1);
    expect(r.stderr.indexOf('[demo-base] up done')).toBeLessThan(r.stderr.indexOf('[demo-web] up started'));
    expect(JSON.parse(await readFile(demo('demo-web/server.json'), 'utf8'))).toMatchObject({ listen: 'localhost:8081', replicas: 2 });
  });

  it('a second deploy changes nothing', async () => {
    const r = await gitops('deploy', '--all', '--json');
    expect(r.code, r.stderr).toBe(0);
    for (const s of json(r).stacks) {
      // `read` is the StackReference being read again: it changes nothing.
      expect(Object.keys(s.changes).filter((op) => op !== 'same')).toEqual([]);
      expect(s.resources.filter((x) => x.op !== 'same' && x.op !== 'read')).toEqual([]);
    }
  });

  it('preview --detailed-exitcode exits 0 when nothing is pending', async () => {
    const r = await gitops('preview', '--all', '--detailed-exitcode');
    expect(r.code, r.stderr).toBe(0);
  });

  it('reports an out-of-band change by resource and property, with exit 3', async () => {
    await writeFile(demo('demo-web/server.json'), '{"listen": "0.0.0.0:9999"}\n');
    const r = await gitops('drift', '--all', '--json');
    expect(r.code, r.stderr).toBe(3);
    const web = json(r).stacks.find((s) => s.name === 'demo-web')!;
    expect(web.action).toBe('reported');
    expect(web.resources).toEqual([
      expect.objectContaining({
        name: 'server-config',
        op: 'update',
        changedProperties: ['content'],
        properties: [expect.objectContaining({ path: 'content', new: '{"listen": "0.0.0.0:9999"}\n' })],
      }),
    ]);
    expect(r.stderr).toContain('server-config');
    expect(json(r).stacks.find((s) => s.name === 'demo-base')!.action).toBe('none');
    // Detection writes nothing: the file is still the edited one.
    expect(await readFile(demo('demo-web/server.json'), 'utf8')).toBe('{"listen": "0.0.0.0:9999"}\n');
  });

  it('drift --remediate restores it, and a later drift exits 0', async () => {
    const r = await gitops('drift', '--stack', 'demo-web', '--remediate', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).stacks[0]).toMatchObject({ name: 'demo-web', action: 'remediated' });
    expect(JSON.parse(await readFile(demo('demo-web/server.json'), 'utf8'))).toMatchObject({ listen: 'localhost:8081' });
    const again = await gitops('drift', '--all');
    expect(again.code, again.stderr).toBe(0);
  });

  it('holds back a remediation that would replace a resource, unless --allow-destroy', async () => {
    await chmod(demo('demo-web/credentials'), 0o644);
    const blocked = await gitops('drift', '--stack', 'demo-web', '--remediate', '--json');
    expect(blocked.code, blocked.stderr).toBe(3);
    expect(json(blocked).stacks[0]).toMatchObject({ action: 'blocked' });
    expect(blocked.stderr).toMatch(/would replace credentials/);
    const allowed = await gitops('drift', '--stack', 'demo-web', '--remediate', '--allow-destroy');
    expect(allowed.code, allowed.stderr).toBe(0);
    const clean = await gitops('drift', '--all');
    expect(clean.code, clean.stderr).toBe(0);
  });

  it('a stack with the remediate policy converges on its own: a deleted file is recreated', async () => {
    await rm(demo('demo-base/platform.json'));
    const r = await gitops('drift', '--all', '--json');
    expect(r.code, r.stderr).toBe(0);
    const base = json(r).stacks.find((s) => s.name === 'demo-base')!;
    expect(base).toMatchObject({ action: 'remediated', resources: [expect.objectContaining({ name: 'platform-settings', op: 'delete' })] });
    expect(existsSync(demo('demo-base/platform.json'))).toBe(true);
  });

  it('never shows the secret config value in stdout, stderr or JSON', () => {
    expect(runs.length).toBeGreaterThan(5);
    for (const r of runs) {
      expect(r.stdout).not.toContain(SECRET);
      expect(r.stderr).not.toContain(SECRET);
    }
  });

  it('the secret did reach the program: the credentials file holds it', async () => {
    // Guards the test above: redaction is meaningful only if the value was really used.
    expect(await readFile(demo('demo-web/credentials'), 'utf8')).toBe(`API_TOKEN=${SECRET}\n`);
  });
});
