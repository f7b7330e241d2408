import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { runGit } from '../helpers/git-repo.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Deploy reports back, on the real engine with a local GitLab: after a merge, `gitops deploy`
 * sets a commit status per stack on the merged commit and comments on the merged MR with the
 * summary and the Pulumi update version (the one the stack's history records); a retry of the
 * pipeline updates its comment; a forge failing while reporting leaves the deploy's exit code alone.
 */
interface DeployDoc {
  stacks: { name: string; status: string; updateVersion?: number }[];
}

describe('deploy reports back to the merge request', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  let mainBefore: string;
  let merged: string;
  const git = (...args: string[]) => runGit(box.root, args);
  const mr = () => forge.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 12)!;
  const env = () => ciEnv(forge, 'gitlab', { CI_COMMIT_SHA: merged, CI_COMMIT_BRANCH: 'main', CI_PIPELINE_ID: '77' });

  beforeAll(async () => {
    forge = await startForgeServer();
    box = await createSandbox();
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    const first = await box.run(['deploy', '--all']);
    expect(first.code, first.stderr).toBe(0);
    mainBefore = (await git('rev-parse', 'HEAD')).trim();
    await git('checkout', '-q', '-b', 'retitle');
    const file = path.join(box.root, 'stacks', 'demo-web.yaml');
    await box.write('stacks/demo-web.yaml', (await readFile(file, 'utf8')).replace('Hello from GitOps', 'Hello, reported'));
    await git('commit', '-q', '-am', 'retitle the site');
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--no-ff', '-m', 'Merge branch retitle (!12)', 'retitle');
    merged = (await git('rev-parse', 'HEAD')).trim();
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 12, title: 'Retitle', state: 'merged', mergeCommitSha: merged });
    forge.state.linkCommit('gitlab', testProjects.gitlab, merged, 12);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('sets the stack status on the merged commit and comments with the update version Pulumi recorded', async () => {
    const r = await box.run(['deploy', '--base', mainBefore, '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const web = (JSON.parse(r.stdout) as DeployDoc).stacks.find((s) => s.name === 'demo-web')!;
    expect(web.status).toBe('succeeded');
    // The version comes from the engine's result; the stack's history agrees.
    const historyDir = path.join(box.root, '.gitops', 'state', '.pulumi', 'history', 'local-site', 'demo-web');
    const files = await readdir(historyDir);
    const updates = files.filter((f) => f.endsWith('.history.json'));
    expect(web.updateVersion, files.join(', ')).toBe(updates.length);

    const statuses = forge.state.project('gitlab', testProjects.gitlab).statuses.filter((s) => s.sha === merged);
    expect(statuses).toEqual([
      expect.objectContaining({
        name: 'gitops/demo-web',
        state: 'success',
        description: `deployed (update ${web.updateVersion}): 1 update`,
        pipelineId: 77,
        targetUrl: `${forge.url}/42/-/jobs/11`,
      }),
    ]);
    expect(mr().comments).toHaveLength(1);
    const body = mr().comments[0]!.body;
    expect(body.split('\n')[0]).toBe('<!-- gitops:deploy:77 -->');
    expect(body).toContain(`Deploy of \`${merged.slice(0, 12)}\`: 1 deployed`);
    expect(body).toContain(`| \`demo-web\` | ✅ deployed | ${web.updateVersion} | 1 update |`);
  });

  it('a retried job updates its own comment; a forge failing while reporting is a warning, not a failure', async () => {
    // GitLab answers every status with 503 and refuses the comment's update: the deploy itself is fine.
    forge.state.addFault({ platform: 'gitlab', method: 'POST', path: '/statuses/', status: 503, times: 100 });
    forge.state.addFault({ platform: 'gitlab', method: 'PUT', path: '/merge_requests/12/notes/', status: 503, times: 100 });
    forge.state.addFault({ platform: 'gitlab', method: 'POST', path: '/merge_requests/12/notes', status: 503, times: 100 });
    const r = await box.run(['deploy', '--base', mainBefore], env());
    forge.state.faults.length = 0;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: deploy report: could not set commit status gitops\/demo-web on \w{12} \(the deploy's result stands\): GitLab API POST \/projects\/42\/statuses\/\w+ failed: HTTP 503/,
    );
    expect(r.stderr).toMatch(
      /warning: deploy report: could not comment on merge request #12 \(the deploy's result stands\): GitLab API PUT .* failed: HTTP 503/,
    );
    expect(mr().comments).toHaveLength(1);
    // The forge is back: the same pipeline's comment is updated in place, never a second one.
    const again = await box.run(['deploy', '--base', mainBefore, '--json'], env());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('deploy report');
    const version = (JSON.parse(again.stdout) as DeployDoc).stacks.find((s) => s.name === 'demo-web')!.updateVersion;
    expect(mr().comments).toHaveLength(1);
    expect(mr().comments[0]!.body).toContain(`| \`demo-web\` | ✅ deployed | ${version} | no changes |`);
  });
  it('on GitHub Actions: a status per stack and the PR comment through the GitHub API, and the deploy report as the job summary', async () => {
    forge.state.addMergeRequest('github', testProjects.github, { number: 12, title: 'Retitle', state: 'merged', mergeCommitSha: merged });
    forge.state.linkCommit('github', testProjects.github, merged, 12);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-summary-'));
    try {
      const summaryFile = path.join(dir, 'summary.md');
      const r = await box.run(
        ['deploy', '--base', mainBefore, '--json'],
        ciEnv(forge, 'github', { GITHUB_SHA: merged, GITHUB_REF: 'refs/heads/main', GITHUB_STEP_SUMMARY: summaryFile }),
      );
      expect(r.code, r.stderr).toBe(0);
      const version = (JSON.parse(r.stdout) as DeployDoc).stacks.find((s) => s.name === 'demo-web')!.updateVersion;
      const github = forge.state.project('github', testProjects.github);
      expect(github.statuses.filter((s) => s.sha === merged)).toEqual([
        expect.objectContaining({
          name: 'gitops/demo-web',
          state: 'success',
          description: `deployed (update ${version}): no changes`,
          targetUrl: `${forge.url}/acme/infra/actions/runs/99/attempts/1`,
          author: 'github-actions[bot]',
        }),
      ]);
      const comments = github.mergeRequests.find((m) => m.number === 12)!.comments;
      expect(comments.map((c) => c.body.split('\n')[0])).toEqual(['<!-- gitops:deploy:99 -->']);
      const summary = await readFile(summaryFile, 'utf8');
      expect(summary).toContain(`Deploy of \`${merged.slice(0, 12)}\`: 1 deployed`);
      expect(summary).toContain(`| \`demo-web\` | ✅ deployed | ${version} | no changes |`);
      // Nothing failed: no annotation.
      expect(r.stderr).not.toContain('::error');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('deploy --since-deployed (what the CI templates run) reports back the same way, on the merge request it deployed', async () => {
    await git('checkout', '-q', '-b', 'retitle-again');
    const file = path.join(box.root, 'stacks', 'demo-web.yaml');
    await box.write('stacks/demo-web.yaml', (await readFile(file, 'utf8')).replace('Hello, reported', 'Hello, reported again'));
    await git('commit', '-q', '-am', 'retitle the site again');
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--no-ff', '-m', 'Merge branch retitle-again (!13)', 'retitle-again');
    const second = (await git('rev-parse', 'HEAD')).trim();
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 13,
      title: 'Retitle again',
      state: 'merged',
      mergeCommitSha: second,
    });
    forge.state.linkCommit('gitlab', testProjects.gitlab, second, 13);
    const r = await box.run(
      ['deploy', '--since-deployed', '--json'],
      ciEnv(forge, 'gitlab', { CI_COMMIT_SHA: second, CI_COMMIT_BRANCH: 'main', CI_PIPELINE_ID: '78' }),
    );
    expect(r.code, r.stderr).toBe(0);
    const web = (JSON.parse(r.stdout) as DeployDoc).stacks.find((s) => s.name === 'demo-web')!;
    expect(web.status).toBe('succeeded');
    const project = forge.state.project('gitlab', testProjects.gitlab);
    expect(project.statuses.filter((s) => s.sha === second)).toEqual([
      expect.objectContaining({ name: 'gitops/demo-web', state: 'success', pipelineId: 78 }),
    ]);
    const comments = project.mergeRequests.find((m) => m.number === 13)!.comments;
    expect(comments.map((c) => c.body.split('\n')[0])).toEqual(['<!-- gitops:deploy:78 -->']);
    expect(comments[0]!.body).toContain(`| \`demo-web\` | ✅ deployed | ${web.updateVersion} | 1 update |`);
  });
});
