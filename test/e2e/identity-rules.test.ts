import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Rules follow the stack's Pulumi identity, not its file name, on the real engine with a real git
 * repository and no forge configured (so a protected stack must always be refused). `prod.yaml`
 * holds local-base/prod (approvals 1, deployed), `dev.yaml` holds local-base/dev. Each scenario
 * starts from the bootstrap commit, merges one MR and runs the deploy CI runs.
 */
const prod = 'program: local-base\nconfig:\n  local-base:basePort: 8000\napprovals:\n  required: 1\n';
const dev = 'program: local-base\nconfig:\n  local-base:basePort: 8100\n';

interface DeployDoc {
  stacks: { name: string; status: string; operation: string; skipReason?: string }[];
}

describe('rules by identity, from the base and the deployed commit', () => {
  let box: Sandbox;
  let bootstrap = '';
  const { git, commit } = gitIn(() => box.root);
  const byName = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as DeployDoc).stacks.map((s) => [s.name, s]));
  const livePort = async (stack: string) => {
    const text = await readFile(path.join(box.root, '.gitops', 'demo', stack, 'platform.json'), 'utf8');
    return (JSON.parse(text) as { basePort: number }).basePort;
  };
  /** One MR from a branch, merged with a merge commit; returns the commit before the merge. */
  const mergeMr = async (branch: string, files: Record<string, string>) => {
    await git('checkout', '-q', '-b', branch, bootstrap);
    for (const [rel, text] of Object.entries(files)) await box.write(rel, text);
    await commit(`MR ${branch}`);
    await git('checkout', '-q', 'main');
    await git('reset', '-q', '--hard', bootstrap);
    await git('merge', '-q', '--no-ff', '-m', `Merge branch ${branch}`, branch);
    return bootstrap;
  };
  const refusedForApproval = (r: CliRun, name: string) => {
    expect(byName(r)[name], r.stderr).toMatchObject({
      status: 'skipped',
      skipReason: expect.stringMatching(/^deploy refused: needs 1 approval/),
    });
  };

  beforeAll(async () => {
    box = await createSandbox({ stacks: { prod, dev } });
    await box.write('.gitignore', 'node_modules\n.gitops/\nother-state/\n');
    await git('init', '-q', '-b', 'main');
    bootstrap = await commit('initial');
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'bootstrap of the test repository']);
    expect(first.code, first.stderr).toBe(0);
    expect(await livePort('prod')).toBe(8000);
  });
  afterAll(async () => box?.dispose());

  it('an identity swap needs the approvals of the identity it takes: --base and --since-deployed refuse it', async () => {
    const before = await mergeMr('swap', {
      'stacks/dev.yaml': 'program: local-base\nstack: prod\nconfig:\n  local-base:basePort: 6666\n',
      'stacks/prod.yaml': 'program: local-base\nstack: prod-new\nconfig:\n  local-base:basePort: 8000\napprovals:\n  required: 1\n',
    });
    const onMerge = await box.run(['deploy', '--base', before, '--json']);
    expect(onMerge.code, onMerge.stderr).toBe(1);
    refusedForApproval(onMerge, 'dev');
    const since = await box.run(['deploy', '--since-deployed', '--json']);
    expect(since.code, since.stderr).toBe(1);
    refusedForApproval(since, 'dev');
    // prod.yaml's new identity replaces local-base/prod in this change: it takes that identity's rules.
    refusedForApproval(since, 'prod');
    expect(await livePort('prod')).toBe(8000);
  });

  it('a new identity that replaces a protected one keeps its approvals under --since-deployed', async () => {
    await mergeMr('new-identity', { 'stacks/prod.yaml': 'program: local-base\nstack: prod2\nconfig:\n  local-base:basePort: 6666\n' });
    const since = await box.run(['deploy', '--since-deployed', '--json']);
    expect(since.code, since.stderr).toBe(1);
    refusedForApproval(since, 'prod');
    const plan = await box.run(['deploy', '--base', 'HEAD~1', '--json']);
    expect(plan.code, plan.stderr).toBe(1);
    refusedForApproval(plan, 'prod');
  });

  it('a backend switch that drops the approvals is refused: the stacks are unknown there, the base rules apply', async () => {
    const settings = await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8');
    await mergeMr('backend-switch', {
      'Pulumi.yaml': `${settings}backend:\n  url: file://./other-state\n`,
      'stacks/prod.yaml': 'program: local-base\nconfig:\n  local-base:basePort: 6666\n',
    });
    const since = await box.run(['deploy', '--since-deployed', '--json']);
    expect(since.code, since.stderr).toBe(1);
    refusedForApproval(since, 'prod');
    expect(byName(since).dev).toMatchObject({ status: 'succeeded' });
    expect(await livePort('prod')).toBe(8000);
  });
});
