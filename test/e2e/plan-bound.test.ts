import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Issue 9, point 7, on the real engine: updates bound to the preview that was reviewed. The MR
 * preview stores each stack's Pulumi plan with its commit, tree and state version; deploy on merge
 * obeys it, and refuses a stale one (program or state moved since) with a fresh preview. Drift
 * remediation obeys the plan of the very preview its guard checked.
 *
 * `vault` has a secret in its state and no `encryptionSalt` in its stack file, and every deploy
 * runs in fresh workspaces, as a new CI job would: that is where pulumi/pulumi#16412 bites.
 */
const vaultProgram = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';
export default async function program() {
  const config = new pulumi.Config();
  const token = new LocalFile('token', {
    path: \`\${demoDir(pulumi.getStack())}/token\`,
    content: pulumi.secret(\`TOKEN=\${config.require('generation')}-not-a-real-secret\\n\`),
  });
  return { token: token.path };
}
`;
const vaultStack = (generation: number) => `program: vault\nconfig:\n  vault:generation: "${generation}"\n`;

interface StackDoc {
  name: string;
  status: string;
  operation: string;
  error?: { code: string; message: string };
  skipReason?: string;
  freshPreview?: { status: string; changes: Record<string, number> };
}
interface DriftDoc {
  stacks: { name: string; action: string; status: string; error?: { code: string; message: string } }[];
}

describe('plan-bound updates', () => {
  let box: Sandbox;
  const { git, sha, commit } = gitIn(() => box.root);
  const byName = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as { stacks: StackDoc[] }).stacks.map((s) => [s.name, s]));
  const live = (rel: string) => readFile(path.join(box.root, '.gitops', 'demo', rel), 'utf8');
  const edit = async (rel: string, from: string, to: string) => {
    const text = await readFile(path.join(box.root, rel), 'utf8');
    expect(text).toContain(from);
    await box.write(rel, text.replace(from, to));
  };
  /** A new CI job: the workspaces (and the config salts Pulumi drew in them) are gone; the state stays. */
  const freshJob = () => rm(path.join(box.root, '.gitops', 'workspaces'), { recursive: true, force: true });
  /** An MR on a branch off main: `change` edits files; returns main's head before the merge. */
  const mergeRequest = async (branch: string, change: () => Promise<void>) => {
    const before = await sha('main');
    await git('checkout', '-q', '-b', branch, 'main');
    await change();
    await commit(`change on ${branch}`);
    return before;
  };
  const merge = async (branch: string) => {
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--ff-only', branch);
  };

  beforeAll(async () => {
    box = await createSandbox({ stacks: { vault: vaultStack(1) }, keepStacks: true });
    await box.write('programs/vault/index.ts', vaultProgram);
    await box.write('.gitignore', 'node_modules\n.gitops/\nplans-*/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    const first = await box.run(['deploy', '--all']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('applies the stored MR plan on merge, in a fresh job, also for a stack with secrets and no salt in its file', async () => {
    await mergeRequest('retitle', async () => {
      await edit('stacks/demo-web.yaml', 'Hello from GitOps', 'Hello from a reviewed plan');
      await box.write('stacks/vault.yaml', vaultStack(2));
    });
    const preview = await box.run(['preview', '--base', 'main', '--save-plans', 'plans-1', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    const record = JSON.parse(await readFile(path.join(box.root, 'plans-1', 'vault.json'), 'utf8'));
    expect(record).toMatchObject({ stack: 'vault', operation: 'up', commit: await sha(), planFile: 'vault.plan.json' });
    expect(record.tree).toBe((await git('rev-parse', 'HEAD^{tree}')).trim());
    expect(record.state.lastUpdate).toMatch(/^update \d{4}-/);
    expect(record.unplanned).toBeUndefined();
    // The plan carries the secret only as ciphertext.
    expect(await readFile(path.join(box.root, 'plans-1', 'vault.plan.json'), 'utf8')).not.toContain('not-a-real-secret');

    await merge('retitle');
    await freshJob();
    // What the CI templates run on the default branch.
    const r = await box.run(['deploy', '--since-deployed', '--plans', 'plans-1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.keys(byName(r)).sort()).toEqual(['demo-web', 'vault']);
    expect(byName(r)['demo-web']).toMatchObject({ operation: 'up', status: 'succeeded' });
    expect(byName(r).vault).toMatchObject({ operation: 'up', status: 'succeeded' });
    expect(await live('demo-web/index.html')).toContain('Hello from a reviewed plan');
    expect(await live('vault/token')).toBe('TOKEN=2-not-a-real-secret\n');
  });

  it('refuses a program changed after the preview as stale, with a fresh preview, and applies nothing', async () => {
    const before = await mergeRequest('program-change', async () => {
      await edit('stacks/demo-web.yaml', 'Hello from a reviewed plan', 'Hello as reviewed');
    });
    const preview = await box.run(['preview', '--base', 'main', '--save-plans', 'plans-2']);
    expect(preview.code, preview.stderr).toBe(0);
    // Pushed after the review: the page now says something nobody previewed.
    await edit('programs/local-site/index.ts', '<h1>${title}</h1>', '<h1>${title}</h1><p>unreviewed</p>');
    await commit('after the review');
    await merge('program-change');
    const r = await box.run(['deploy', '--base', before, '--plans', 'plans-2', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const web = byName(r)['demo-web']!;
    expect(web).toMatchObject({ operation: 'up', status: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(web.error!.message).toContain('stack demo-web: the approved preview is stale: the merged tree');
    expect(web.error!.message).toContain('is not the previewed tree');
    expect(web.error!.message).toMatch(/a fresh preview shows 1 update/);
    expect(web.freshPreview).toMatchObject({ status: 'succeeded', changes: { update: 1 } });
    const page = await live('demo-web/index.html');
    expect(page).toContain('Hello from a reviewed plan');
    expect(page).not.toContain('unreviewed');
  });

  it('refuses a stack whose state moved after the preview (another deploy), and skips its dependents', async () => {
    // Deploy what main holds now, so the next MR starts from a clean state.
    const settle = await box.run(['deploy', '--all']);
    expect(settle.code, settle.stderr).toBe(0);
    const before = await mergeRequest('new-host', async () => {
      await edit('stacks/demo-base.yaml', 'hostname: localhost', 'hostname: reviewed.local');
    });
    const preview = await box.run(['preview', '--base', 'main', '--save-plans', 'plans-3']);
    expect(preview.code, preview.stderr).toBe(0);
    // Another deploy of demo-base lands between the review and the merge.
    await git('checkout', '-q', 'main');
    const other = await box.run(['deploy', '--stack', 'demo-base']);
    expect(other.code, other.stderr).toBe(0);
    await merge('new-host');
    await freshJob();
    const r = await box.run(['deploy', '--base', before, '--plans', 'plans-3', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const base = byName(r)['demo-base']!;
    expect(base).toMatchObject({ status: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(base.error!.message).toMatch(
      /the approved preview is stale: the stack's state moved since the preview: its last update was update \S+, now update \S+/,
    );
    expect(base.freshPreview).toMatchObject({ status: 'succeeded', changes: { update: 1 } });
    expect(byName(r)['demo-web']).toMatchObject({ status: 'skipped', skipReason: 'depends on demo-base, which failed' });
    expect(await live('demo-base/platform.json')).toContain('"localhost"');
  });

  it('refuses a stack the preview stored no plan for', async () => {
    const before = await mergeRequest('vault-3', async () => {
      await box.write('stacks/vault.yaml', vaultStack(3));
    });
    const preview = await box.run(['preview', '--base', 'main', '--save-plans', 'plans-4']);
    expect(preview.code, preview.stderr).toBe(0);
    await rm(path.join(box.root, 'plans-4', 'vault.json'));
    await merge('vault-3');
    const r = await box.run(['deploy', '--base', before, '--plans', 'plans-4', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(byName(r).vault).toMatchObject({ status: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(byName(r).vault!.error!.message).toContain('the approved preview is stale: no approved preview was stored for it');
    expect(await live('vault/token')).toBe('TOKEN=2-not-a-real-secret\n');
  });

  it('remediation obeys the plan its guard checked: a resource gone between the guard and the up is refused, not recreated', async () => {
    const settle = await box.run(['deploy', '--all']);
    expect(settle.code, settle.stderr).toBe(0);
    const settings = path.join(box.root, '.gitops', 'demo', 'demo-base', 'platform.json');
    await writeFile(settings, '{"hostname": "drifted.example", "basePort": 1}\n');
    // As soon as the guard's preview has saved its plan, someone deletes the file by hand.
    const planFile = path.join(box.root, '.gitops', 'workspaces', 'demo-base', 'remediate-preview.plan.json');
    await rm(planFile, { force: true });
    let deleted = false;
    const watcher = setInterval(() => {
      if (!deleted && existsSync(planFile)) {
        deleted = true;
        void rm(settings, { force: true });
      }
    }, 5);
    let r: CliRun;
    try {
      r = await box.run(['drift', '--stack', 'demo-base', '--remediate', '--json']);
    } finally {
      clearInterval(watcher);
    }
    expect(deleted).toBe(true);
    expect(r.code, r.stderr).toBe(1);
    const [report] = (JSON.parse(r.stdout) as DriftDoc).stacks;
    expect(report).toMatchObject({ name: 'demo-base', action: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(report!.error!.message).toContain('remediation refused, the stack changed after the guard checked its preview');
    expect(report!.error!.message).toContain('departed from its plan at resource platform-settings');
    // The guard saw an update, not a create: the file is not made again.
    expect(existsSync(settings)).toBe(false);
  });
});
