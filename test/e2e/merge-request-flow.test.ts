import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * The whole merge request loop on the demo stacks, with real git, the real engine and a local
 * GitLab: branch, change, preview with report and MR comment, a second push updating the
 * comment in place, deploy refused off the default branch, merge, deploy in dependency order,
 * and a protected stack that waits for its approval.
 */
const protectedStack = 'program: local-base\nconfig:\n  local-base:basePort: 9090\napprovals:\n  required: 1\n';

interface Doc {
  stacks: {
    name: string;
    status: string;
    operation: string;
    skipReason?: string;
    resources: { name: string; op: string; changedProperties: string[] }[];
  }[];
  affected: { name: string; action: string }[];
}

describe('merge request flow', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  let mainBefore: string;
  const git = (...args: string[]) => runGit(box.root, args);
  const gitlab = (extra: Record<string, string | undefined> = {}) => ciEnv(forge, 'gitlab', extra);
  const doc = (r: CliRun): Doc => JSON.parse(r.stdout) as Doc;

  beforeAll(async () => {
    forge = await startForgeServer();
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 7,
      title: 'Retitle the site',
      sourceBranch: 'feature',
      targetBranch: 'main',
    });
    box = await createSandbox({ stacks: { 'demo-prod': protectedStack }, keepStacks: true });
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    // The protected stack's first deploy has no merge request to carry its approval: a person overrides, on the record.
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'bootstrap of the test repository']);
    expect(first.code, first.stderr).toBe(0);
    mainBefore = (await git('rev-parse', 'HEAD')).trim();
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('previews only the affected stack and posts the report as the MR comment', async () => {
    await git('checkout', '-q', '-b', 'feature');
    const stackFile = path.join('stacks', 'demo-web.yaml');
    await box.write(
      stackFile,
      (await readFile(path.join(box.root, stackFile), 'utf8')).replace('Hello from GitOps', 'Hello from a merge request'),
    );
    await git('commit', '-q', '-am', 'retitle');
    const r = await box.run(
      ['preview', '--base', 'main', '--json', '--markdown', 'report.md', '--comment'],
      gitlab({ CI_MERGE_REQUEST_IID: '7' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const d = doc(r);
    expect(d.affected).toEqual([{ name: 'demo-web', action: 'update', reasons: [{ kind: 'stack-file', path: 'stacks/demo-web.yaml' }] }]);
    expect(d.stacks.map((s) => [s.name, s.operation, s.status])).toEqual([['demo-web', 'preview', 'succeeded']]);
    expect(d.stacks[0]!.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'index-html', op: 'update', changedProperties: ['content'] })]),
    );
    const markdown = await readFile(path.join(box.root, 'report.md'), 'utf8');
    expect(markdown).toContain('| demo-web | 0 | 1 | 0 | 0 | ✅ ok | no |');
    expect(markdown).toContain((await git('rev-parse', 'HEAD')).trim().slice(0, 12));
    expect(markdown).toContain('<details open><summary>demo-web: 1 to update</summary>');
    // The changed value itself, old → new (issue 13).
    expect(markdown).toContain(
      '-<title>Hello from GitOps</title>\n-<h1>Hello from GitOps</h1>\n+<title>Hello from a merge request</title>',
    );
    expect(markdown).toContain('stack file stacks/demo-web.yaml changed');
    const notes = forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.comments;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('<!-- gitops:preview -->');
    expect(notes[0]!.body).toContain('| demo-web |');
  });

  it('updates the same comment in place on a second push, marking the stack that needs approval', async () => {
    const program = path.join('programs', 'local-base', 'index.ts');
    await box.write(
      program,
      (await readFile(path.join(box.root, program), 'utf8')).replace('{ hostname, basePort }', '{ hostname, basePort, tls: false }'),
    );
    await git('commit', '-q', '-am', 'platform settings gain tls');
    const r = await box.run(['preview', '--base', 'main', '--json', '--comment'], gitlab({ CI_MERGE_REQUEST_IID: '7' }));
    expect(r.code, r.stderr).toBe(0);
    expect(doc(r).affected.map((s) => s.name)).toEqual(['demo-base', 'demo-prod', 'demo-web']);
    // demo-web runs after demo-base, which it depends on.
    expect(r.stderr.indexOf('[demo-base] preview done')).toBeLessThan(r.stderr.indexOf('[demo-web] preview started'));
    const notes = forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.comments;
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('| demo-prod | 0 | 1 | 0 | 0 | ✅ ok | 🔒 1 |');
    expect(notes[0]!.body).toContain('flowchart LR');
    expect(forge.requests.filter((q) => q.method === 'PUT' && q.path.includes('/notes/'))).toHaveLength(1);
  });

  it('refuses to deploy off the default branch', async () => {
    const r = await box.run(['deploy', '--base', 'main'], gitlab());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('deploy refused: it runs only on the default branch "main", and this is branch "feature"');
  });

  it('after the merge, deploys in dependency order and refuses the unapproved protected stack', async () => {
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--no-ff', '-m', 'Merge branch feature (!7)', 'feature');
    const merged = (await git('rev-parse', 'HEAD')).trim();
    forge.state.linkCommit('gitlab', testProjects.gitlab, merged, 7);
    forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.state = 'merged';
    // Approvals count only from the merged MR whose merge commit is the deployed commit.
    forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.mergeCommitSha = merged;
    const env = gitlab({ CI_COMMIT_SHA: merged, CI_COMMIT_BRANCH: 'main' });
    const r = await box.run(['deploy', '--base', mainBefore, '--json'], env);
    expect(r.code, r.stderr).toBe(1);
    const byName = Object.fromEntries(doc(r).stacks.map((s) => [s.name, s]));
    expect(byName['demo-base']!.status).toBe('succeeded');
    expect(byName['demo-web']!.status).toBe('succeeded');
    expect(byName['demo-prod']).toMatchObject({
      status: 'skipped',
      skipReason: expect.stringContaining('needs 1 approval; merge request #7 has 0'),
    });
    expect(r.stderr.indexOf('[demo-base] up done')).toBeLessThan(r.stderr.indexOf('[demo-web] up started'));
    const page = await readFile(path.join(box.root, '.gitops', 'demo', 'demo-web', 'index.html'), 'utf8');
    expect(page).toContain('Hello from a merge request');

    // The update message is the audit trail: commit, merge request and pipeline.
    const historyDir = path.join(box.root, '.gitops', 'state', '.pulumi', 'history', 'local-site', 'demo-web');
    const files = (await readdir(historyDir)).filter((f) => f.endsWith('.history.json')).sort();
    const last = JSON.parse(await readFile(path.join(historyDir, files.at(-1)!), 'utf8')) as { message: string };
    expect(last.message).toContain(merged.slice(0, 12));
    expect(last.message).toContain('merge request #7');
    expect(last.message).toContain('/pipelines/1');

    forge.state.addMember(testProjects.gitlab, 'alice', 30); // Developer access: she may approve
    forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.approvedBy = ['alice'];
    const again = await box.run(['deploy', '--base', mainBefore, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(doc(again).stacks.find((s) => s.name === 'demo-prod')).toMatchObject({ status: 'succeeded' });
  });
});
