import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Drift in a secret property on the real engine: demo-web writes its secret `apiToken` into the
 * managed file `credentials`. Secret values arrive masked in engine events, so a hand edit of
 * that file once compared equal and went unseen. Detection must see it, report both values as
 * `[secret]` with `secret: true`, never print either plaintext, and remediation must fix it.
 */
interface DriftDoc {
  stacks: {
    name: string;
    action: string;
    resources: { name: string; op: string; properties: { path: string; old?: string; new?: string; secret?: boolean }[] }[];
  }[];
}

const HAND_EDIT = 'API_TOKEN=hand-edited-canary-7f3a91\n';

describe('drift in a secret property', () => {
  let box: Sandbox;
  let deployed: string;
  const credentials = () => path.join(box.root, '.gitops', 'demo', 'demo-web', 'credentials');
  const web = (r: CliRun) => (JSON.parse(r.stdout) as DriftDoc).stacks.find((s) => s.name === 'demo-web')!;
  const expectNoPlaintext = (r: CliRun, ...extra: string[]) => {
    const token = deployed.trim().replace(/^API_TOKEN=/, '');
    for (const text of [r.stdout, r.stderr, ...extra]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain('hand-edited-canary-7f3a91');
    }
  };

  beforeAll(async () => {
    box = await createSandbox();
    const r = await box.run(['deploy', '--all']);
    expect(r.code, r.stderr).toBe(0);
    deployed = await readFile(credentials(), 'utf8');
    expect(deployed).toMatch(/^API_TOKEN=.{4,}\n$/);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('a clean stack with secrets shows no drift', async () => {
    const r = await box.run(['drift', '--all', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(web(r).action).toBe('none');
  });

  it('a hand edit of secret content is drift: reported as [secret] with secret: true, never in plaintext', async () => {
    await writeFile(credentials(), HAND_EDIT);
    const r = await box.run(['drift', '--all', '--json', '--markdown', 'drift.md']);
    expect(r.code, r.stderr).toBe(3);
    expect(web(r)).toMatchObject({
      action: 'reported',
      resources: [{ name: 'credentials', op: 'update', properties: [{ path: 'content', old: '[secret]', new: '[secret]', secret: true }] }],
    });
    const md = await readFile(path.join(box.root, 'drift.md'), 'utf8');
    expect(md).toContain('**credentials** `demo LocalFile`\n\n`content`: the secret value differs (not shown)');
    expectNoPlaintext(r, md);
    // Detection wrote nothing.
    expect(await readFile(credentials(), 'utf8')).toBe(HAND_EDIT);
  });

  it('remediation fixes it, and the next check is clean', async () => {
    const r = await box.run(['drift', '--all', '--remediate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(web(r).action).toBe('remediated');
    expectNoPlaintext(r);
    expect(await readFile(credentials(), 'utf8')).toBe(deployed);
    const again = await box.run(['drift', '--all', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(web(again).action).toBe('none');
  });
});
