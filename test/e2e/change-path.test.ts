import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Issue 9, the reported cases, on the real engine with a real git repository: each was tried on
 * the demo stacks and did harm; each must now be refused or handled. One repository, in order:
 * uncommitted edit, unmerged --head, rename, an MR lowering its own approvals, remediation of
 * that refused change, and a destroy that skipped approvals.
 */
const prod = 'program: local-base\nconfig:\n  local-base:basePort: 9090\napprovals:\n  required: 1\ndrift:\n  policy: remediate\n';
const gone = 'program: local-base\nconfig:\n  local-base:basePort: 7070\napprovals:\n  required: 2\nallowDestroy: true\n';

interface DeployDoc {
  stacks: { name: string; status: string; operation: string; skipReason?: string }[];
}

describe('the change path cannot be talked into destroying or bypassing review', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  const git = (...args: string[]) => runGit(box.root, args);
  const sha = async (ref = 'HEAD') => (await git('rev-parse', ref)).trim();
  const commit = async (message: string) => {
    await git('add', '-A');
    await git('commit', '-q', '-m', message);
    return sha();
  };
  const byName = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as DeployDoc).stacks.map((s) => [s.name, s]));
  /** Resources in a stack's state on the file backend. */
  const resourceCount = async (project: string, stack: string): Promise<number> => {
    const state = JSON.parse(
      await readFile(path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks', project, `${stack}.json`), 'utf8'),
    ) as {
      checkpoint: { latest?: { resources?: unknown[] } };
    };
    return state.checkpoint.latest?.resources?.length ?? 0;
  };
  const platformFile = (stack: string) => path.join(box.root, '.gitops', 'demo', stack, 'platform.json');

  beforeAll(async () => {
    forge = await startForgeServer();
    box = await createSandbox({ stacks: { 'demo-prod': prod, 'demo-gone': gone }, keepStacks: true });
    const web = path.join(box.root, 'stacks', 'demo-web.yaml');
    await writeFile(web, `${await readFile(web, 'utf8')}allowDestroy: true\n`);
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    // The protected stack's first deploy has no merge request to carry its approval: a person overrides, on the record.
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'bootstrap of the test repository']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('refuses to deploy an uncommitted edit (it would be recorded as the clean commit)', async () => {
    const file = path.join('stacks', 'demo-web.yaml');
    const committed = await readFile(path.join(box.root, file), 'utf8');
    await box.write(file, committed.replace('Hello from GitOps', 'Hello from nowhere'));
    const r = await box.run(['deploy', '--base', 'HEAD']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('deploy refused: the working tree has uncommitted changes to tracked files (stacks/demo-web.yaml)');
    await box.write(file, committed);
  });

  it('refuses a --head that is not the checked-out commit (unmerged code would run)', async () => {
    const before = await sha();
    await box.write(
      'stacks/demo-base.yaml',
      (await readFile(path.join(box.root, 'stacks', 'demo-base.yaml'), 'utf8')).replace('hostname: localhost', 'hostname: unpushed.local'),
    );
    const local = await commit('local commit, not pushed');
    const r = await box.run(['deploy', '--base', 'HEAD~1', '--head', before]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`is not the checked-out commit (${local.slice(0, 12)})`);
    await git('reset', '-q', '--hard', before);
  });

  it('a renamed stack file that keeps its Pulumi identity is renamed, never destroyed', async () => {
    const resources = await resourceCount('local-site', 'demo-web');
    expect(resources).toBeGreaterThan(1);
    await git('mv', 'stacks/demo-web.yaml', 'stacks/web.yaml');
    await writeFile(
      path.join(box.root, 'stacks', 'web.yaml'),
      `${await readFile(path.join(box.root, 'stacks', 'web.yaml'), 'utf8')}stack: demo-web\n`,
    );
    await commit('rename demo-web to web');
    const r = await box.run(['deploy', '--base', 'HEAD~1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Object.values(byName(r)).map((s) => [s.name, s.operation, s.status])).toEqual([['web', 'up', 'succeeded']]);
    expect(await resourceCount('local-site', 'demo-web')).toBe(resources);
    const affected = await box.run(['affected', '--base', 'HEAD~1']);
    expect(affected.code, affected.stderr).toBe(0);
    expect(affected.stdout).toBe('web\tupdate\trenamed from demo-web\n');
    const preview = await box.run(['preview', '--base', 'HEAD~1', '--markdown', 'report.md']);
    expect(preview.code, preview.stderr).toBe(0);
    const md = await readFile(path.join(box.root, 'report.md'), 'utf8');
    expect(md).toContain('| web (renamed from `stacks/demo-web.yaml`, no destroy) | 0 | 0 | 0 | 0 | ✅ ok |');
    expect(md).not.toMatch(/destroyed on merge|destroys|💥/);
  });

  let refusedAt = '';
  it('an MR cannot waive its own approvals: lowering approvals.required 1 -> 0 still needs one', async () => {
    await git('checkout', '-q', '-b', 'lower-approvals');
    await box.write('stacks/demo-prod.yaml', prod.replace('required: 1', 'required: 0').replace('9090', '9191'));
    const branchHead = await commit('lower approvals and move the port');
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 9,
      title: 'Lower approvals',
      sourceBranch: 'lower-approvals',
      headSha: branchHead,
    });
    // The MR comment says that this MR changes a policy, and the table shows the rule deploy applies.
    const preview = await box.run(['preview', '--base', 'main', '--comment'], ciEnv(forge, 'gitlab', { CI_MERGE_REQUEST_IID: '9' }));
    expect(preview.code, preview.stderr).toBe(0);
    const note = forge.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 9)!.comments[0]!.body;
    expect(note).toContain('| demo-prod | 0 | 1 | 0 | 0 | ✅ ok | 🔒 1 |');
    expect(note).toContain('This merge request changes a policy');
    expect(note).toContain('**demo-prod**: `approvals.required` 1 → 0 (lowers protection: deploy still applies the rule at the base)');

    await git('checkout', '-q', 'main');
    const before = await sha();
    await git('merge', '-q', '--no-ff', '-m', 'Merge branch lower-approvals (!9)', 'lower-approvals');
    refusedAt = await sha();
    const mr = forge.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 9)!;
    Object.assign(mr, { state: 'merged', mergeCommitSha: refusedAt });
    forge.state.linkCommit('gitlab', testProjects.gitlab, refusedAt, 9);
    const r = await box.run(
      ['deploy', '--base', before, '--json'],
      ciEnv(forge, 'gitlab', { CI_COMMIT_SHA: refusedAt, CI_COMMIT_BRANCH: 'main' }),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(byName(r)['demo-prod']).toMatchObject({
      status: 'skipped',
      skipReason: expect.stringMatching(/^deploy refused: needs 1 approval/),
    });
    expect(await readFile(platformFile('demo-prod'), 'utf8')).toContain('9090');
  });

  it('remediation does not apply the refused change: blocked as an undeployed change, drift still reported', async () => {
    const file = platformFile('demo-prod');
    await writeFile(file, (await readFile(file, 'utf8')).replace('9090', '1234'));
    const r = await box.run(['drift', '--stack', 'demo-prod', '--remediate', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const [report] = JSON.parse(r.stdout).stacks as { name: string; action: string; blockedReason?: string; changes: { update: number } }[];
    expect(report).toMatchObject({ name: 'demo-prod', action: 'blocked', changes: { update: 1 } });
    expect(report!.blockedReason).toMatch(
      /^undeployed change waiting for deploy: stack file stacks\/demo-prod.yaml changed since [0-9a-f]{12}, its last deployed commit/,
    );
    expect(refusedAt).not.toBe('');
    const live = await readFile(file, 'utf8');
    expect(live).toContain('1234');
    expect(live).not.toContain('9191');
  });

  it('a destroy needs the approvals of its base definition', async () => {
    const resources = await resourceCount('local-base', 'demo-gone');
    expect(resources).toBeGreaterThan(1);
    await box.remove('stacks/demo-gone.yaml');
    await commit('retire demo-gone');
    // The preview shows the destroy as its loudest row, first, with its resource count.
    const preview = await box.run(['preview', '--base', 'HEAD~1', '--markdown', 'destroy.md']);
    expect(preview.code, preview.stderr).toBe(0);
    const rows = (await readFile(path.join(box.root, 'destroy.md'), 'utf8')).split('\n').filter((l) => l.startsWith('| '));
    // Its platform file; the Stack resource and the default provider in the state are engine bookkeeping, not counted.
    expect(rows[1]).toBe('| 💥 **demo-gone** | — | — | — | **1** | 💥 **destroyed on merge**, with its 1 resource | 🔒 2 |');
    const r = await box.run(['deploy', '--base', 'HEAD~1', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(byName(r)['demo-gone']).toMatchObject({
      operation: 'destroy',
      status: 'skipped',
      skipReason: expect.stringMatching(/^deploy refused: needs 2 approvals/),
    });
    expect(await resourceCount('local-base', 'demo-gone')).toBe(resources);
  });
});
