import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { pulumiHome } from '../../src/toolchain/pulumi-home.js';
import { toolsHome } from '../../src/toolchain/tool-cache.js';
import { type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { gitIn } from '../helpers/git-repo.js';
import { ensureCiCommands, type PipelineRun, runPipeline } from '../helpers/gitlab-ci-local.js';
import { type GitlabJobsApi, startGitlabJobsApi } from '../helpers/gitlab-jobs-api.js';
import { createSandbox, gitopsBin, repoRoot, type Sandbox, testRunEnv } from '../helpers/sandbox.js';

const exec = promisify(execFile);

/**
 * The GitLab template's own jobs, run by gitlab-ci-local's shell executor on a scratch repository:
 * this checkout's `.gitlab-ci.yml` as users include it, each job in a fresh copy of the checkout,
 * on the real engine, against the local forge server (with the pipelines and artifacts GitLab
 * would keep). A merge request bumps a stack; its `preview` job comments and saves the plans;
 * after the merge, `deploy` (first with a token of too low a role, which stops it at start)
 * fetches them and deploys bound to them; after a hand edit of the live resource, the scheduled
 * `drift` shards report it and open an issue. Each job's own exit code is checked.
 *
 * What stands in for a GitLab runner: no container (the jobs' images are ignored), `npm ci` links
 * this checkout's node_modules and `npx gitops` runs this checkout's build (shims on PATH, as no
 * registry package of this checkout exists), and the `toolchain` job is not run: the pipeline's
 * GITOPS_TOOLCHAIN_HOME, PULUMI_HOME and GITOPS_TOOLS_HOME variables point at the toolchain the
 * e2e tier installed, as a runner's cache would hold it.
 */
const program = `import * as pulumi from '@pulumi/pulumi';
import { LocalFile } from '../shared/local-file.js';
export default async function program() {
  const config = new pulumi.Config();
  const file = new LocalFile('settings', {
    path: config.require('path'),
    content: JSON.stringify({ generation: config.require('generation') }) + '\\n',
  });
  return { path: file.path };
}
`;
const tokens = { mr: 'glpat-mr-not-a-secret', deploy: 'glpat-deploy-not-a-secret', drift: 'glpat-drift-not-a-secret' };
const passphrase = 'correct horse battery staple';

interface StackDoc {
  name: string;
  status: string;
}

/** Neither the passphrase nor any token is in what the runner printed. */
function expectNoSecrets(run: PipelineRun): void {
  for (const secret of [passphrase, ...Object.values(tokens)]) expect(run.output).not.toContain(secret);
}

describe('the GitLab template, its jobs run by gitlab-ci-local against the local forge', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  let api: GitlabJobsApi;
  let outside: string;
  let pipelineEnv: NodeJS.ProcessEnv;
  let common: Record<string, string>;
  let head: string;
  let merged: string;
  let preview: PipelineRun;
  const { git, sha, commit } = gitIn(() => box.root);
  const live = () => path.join(outside, 'live', 'settings.json');
  const stackFile = (generation: number) =>
    `program: settings\nconfig:\n  settings:generation: "${generation}"\n  settings:path: ${live()}\n`;
  const project = () => forge.state.project('gitlab', testProjects.gitlab);
  const doc = async (run: PipelineRun, job: string, file: string) =>
    JSON.parse(await readFile(path.join(run.artifacts(job), file), 'utf8')) as { stacks: StackDoc[] };
  const backendEnv = () => ({ PULUMI_BACKEND_URL: common.PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE: passphrase });
  /** The stack's state as the backend holds it (the file backend's checkpoint). */
  const stackState = async () => {
    const dir = path.join(outside, 'state', '.pulumi', 'stacks');
    const [projectDir] = await readdir(dir);
    const file = JSON.parse(await readFile(path.join(dir, projectDir!, 'app.json'), 'utf8'));
    return file.checkpoint.latest as { resources: { type: string; outputs?: Record<string, unknown> }[] };
  };
  const pipeline = (stateDir: string, jobs: string[], variables: Record<string, string>) =>
    runPipeline({ cwd: box.root, stateDir, jobs, variables: { ...common, ...variables }, env: pipelineEnv });

  beforeAll(async () => {
    await ensureCiCommands(process.env, (line) => void process.stderr.write(`[ci-commands] ${line}\n`));
    outside = await mkdtemp(path.join(os.tmpdir(), 'gitops-template-jobs-'));
    [forge, box] = await Promise.all([startForgeServer(), createSandbox({ stacks: { app: '' } })]);
    api = await startGitlabJobsApi(forge);
    // Each job's token acts as its own project bot, with the role the template documents.
    for (const [job, level] of [
      ['mr', 20],
      ['deploy', 40],
      ['drift', 20],
    ] as const) {
      forge.state.addToken('gitlab', tokens[job], { username: `project_42_bot_${job}`, accessLevel: level });
      forge.state.addMember(testProjects.gitlab, `project_42_bot_${job}`, level);
    }

    // The runner's stand-ins for `npm ci` and `npx gitops`, outside the repository.
    const shims = path.join(outside, 'bin');
    await mkdir(shims);
    await writeFile(
      path.join(shims, 'npm'),
      `#!/bin/sh\n[ "$1" = ci ] || { echo "npm shim: only npm ci" >&2; exit 9; }\nexec ln -sfn "${path.join(repoRoot, 'node_modules')}" node_modules\n`,
    );
    await writeFile(
      path.join(shims, 'npx'),
      `#!/bin/sh\n[ "$1" = gitops ] || { echo "npx shim: only npx gitops" >&2; exit 9; }\nshift\nexec "${process.execPath}" "${gitopsBin}" "$@"\n`,
    );
    await Promise.all(['npm', 'npx'].map((f) => chmod(path.join(shims, f), 0o755)));
    pipelineEnv = testRunEnv({ PATH: `${shims}:${process.env.PATH}`, CI: undefined, PULUMI_BACKEND_URL: undefined });
    common = {
      CI_API_V4_URL: api.apiUrl,
      CI_PROJECT_ID: testProjects.gitlab,
      GITOPS_GITLAB_MR_TOKEN: tokens.mr,
      GITOPS_GITLAB_DEPLOY_TOKEN: tokens.deploy,
      GITOPS_GITLAB_DRIFT_TOKEN: tokens.drift,
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_BACKEND_URL: `file://${path.join(outside, 'state')}`,
      GITOPS_TOOLCHAIN_HOME: path.dirname(cacheRoot(process.env)),
      PULUMI_HOME: pulumiHome(process.env),
      GITOPS_TOOLS_HOME: toolsHome(process.env),
      npm_config_cache: path.join(outside, 'npm-cache'),
    };

    // The scratch repository: the template, one stack, its origin; generation 1 deployed.
    await copyFile(path.join(repoRoot, '.gitlab-ci.yml'), path.join(box.root, '.gitlab-ci.yml'));
    await box.write('programs/settings/index.ts', program);
    await box.write('stacks/app.yaml', stackFile(1));
    await box.write('package-lock.json', '{"name":"infra","lockfileVersion":3,"requires":true,"packages":{"":{}}}\n');
    await box.write('.gitignore', 'node_modules\n.gitops/\n.cache/\n.gitlab-ci-local*/\ngitops-plans/\npreview.*\ndeploy.json\ndrift.*\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    await exec('git', ['init', '-q', '--bare', path.join(outside, 'origin.git')]);
    await git('remote', 'add', 'origin', `file://${path.join(outside, 'origin.git')}`);
    await git('push', '-q', 'origin', 'main');
    await git('remote', 'set-head', 'origin', 'main');
    const first = await box.run(['deploy', '--all'], backendEnv());
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(await readFile(live(), 'utf8'))).toEqual({ generation: '1' });

    // The merge request, and its pipeline.
    await git('checkout', '-q', '-b', 'bump');
    await box.write('stacks/app.yaml', stackFile(2));
    head = await commit('bump the generation');
    await git('push', '-q', 'origin', 'bump');
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 5,
      title: 'Bump the generation',
      state: 'open',
      sourceBranch: 'bump',
      targetBranch: 'main',
      headSha: head,
    });
    preview = await pipeline('.gitlab-ci-local-mr', ['preview'], {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_IID: '5',
      CI_MERGE_REQUEST_PROJECT_ID: testProjects.gitlab,
      CI_MERGE_REQUEST_SOURCE_PROJECT_ID: testProjects.gitlab,
      CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'bump',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    });
  }, 600_000);
  afterAll(async () => {
    await api?.close();
    await forge?.close();
    await box?.dispose();
    if (outside) await rm(outside, { recursive: true, force: true });
  });

  it('preview: comments on the merge request and saves the plans as the job artifact (exit 0)', async () => {
    expect(preview.jobs, preview.output).toEqual({ preview: 0 });
    expectNoSecrets(preview);
    const comments = project().mergeRequests.find((m) => m.number === 5)!.comments;
    expect(comments.map((c) => c.author)).toEqual(['project_42_bot_mr']);
    expect(comments[0]!.body).toContain('app');
    expect(comments[0]!.body).toContain('"generation":"2"');
    const plan = JSON.parse(await readFile(path.join(preview.artifacts('preview'), 'gitops-plans', 'app.json'), 'utf8'));
    expect(plan).toMatchObject({ stack: 'app', operation: 'up', commit: head });
    expect((await doc(preview, 'preview', 'preview.json')).stacks.map((s) => [s.name, s.status])).toEqual([['app', 'succeeded']]);
    expect(JSON.parse(await readFile(live(), 'utf8'))).toEqual({ generation: '1' });
  });

  it("deploy on merge: stopped at start by a token below Maintainer (exit 2); with its own, deploys bound to the preview's plans, sets the status and comments (exit 0)", async () => {
    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--no-ff', '-m', 'Merge branch bump (!5)', 'bump');
    merged = await sha();
    await git('push', '-q', 'origin', 'main');
    const mr = project().mergeRequests.find((m) => m.number === 5)!;
    mr.state = 'merged';
    mr.mergeCommitSha = merged;
    forge.state.linkCommit('gitlab', testProjects.gitlab, merged, 5);
    // What GitLab keeps of the merge request pipeline: the preview job's artifacts, as one archive.
    const archive = path.join(outside, 'preview-artifacts.zip');
    await exec('zip', ['-q', '-r', archive, 'preview.md', 'preview.json', 'gitops-plans'], { cwd: preview.artifacts('preview') });
    api.addPipeline(testProjects.gitlab, {
      id: 800,
      mergeRequest: 5,
      sha: head,
      ref: 'refs/merge-requests/5/head',
      jobs: [{ id: 11, name: 'preview', artifacts: await readFile(archive) }],
    });

    const push = { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_REF_PROTECTED: 'true' };

    // A deploy token given the MR token's role (Reporter): the job stops at start, exit 2, naming the role.
    const refused = await pipeline('.gitlab-ci-local-weak', ['deploy'], { ...push, GITOPS_GITLAB_DEPLOY_TOKEN: tokens.mr });
    expect(refused.jobs, refused.output).toEqual({ deploy: 2 });
    expect(refused.code).not.toBe(0);
    expectNoSecrets(refused);
    expect(await refused.log('deploy')).toContain('the role Maintainer on the project');
    expect(JSON.parse(await readFile(live(), 'utf8'))).toEqual({ generation: '1' });
    expect(project().statuses).toEqual([]);

    const run = await pipeline('.gitlab-ci-local-main', ['deploy'], push);
    expect(run.jobs, run.output).toEqual({ deploy: 0 });
    expect(run.code, run.output).toBe(0);
    expectNoSecrets(run);
    expect(await run.log('deploy')).toContain(`the plans of merge request !5 (head ${head}, pipeline 800, job 11): 1 stacks`);
    expect((await doc(run, 'deploy', 'deploy.json')).stacks.map((s) => [s.name, s.status])).toEqual([['app', 'succeeded']]);
    // Deployed: the live resource and the stack's state in the backend hold generation 2, deployed from the merge.
    expect(JSON.parse(await readFile(live(), 'utf8'))).toEqual({ generation: '2' });
    const state = await stackState();
    expect(state.resources.find((r) => r.type.endsWith(':LocalFile:Resource'))?.outputs?.content).toBe('{"generation":"2"}\n');
    const status = await box.run(['status', '--json'], backendEnv());
    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as { stacks: unknown[] }).stacks).toEqual([
      expect.objectContaining({ name: 'app', state: 'up-to-date', deployedCommit: expect.objectContaining({ full: merged }) }),
    ]);
    expect(
      project()
        .statuses.filter((s) => s.sha === merged)
        .map((s) => [s.name, s.state, s.author]),
    ).toEqual([['gitops/app', 'success', 'project_42_bot_deploy']]);
    const deployComment = mr.comments.find((c) => c.author === 'project_42_bot_deploy');
    expect(deployComment?.body).toContain(`Deploy of \`${merged.slice(0, 12)}\`: 1 deployed`);
  });

  it('drift on schedule: the shard holding the stack reports the hand edit and opens an issue (exit 3, allowed); the others pass', async () => {
    await writeFile(live(), '{"generation":"edited by hand"}\n');
    const run = await pipeline('.gitlab-ci-local-schedule', ['drift'], { CI_PIPELINE_SOURCE: 'schedule' });
    expect(run.code, run.output).toBe(0);
    expectNoSecrets(run);
    const shards = Object.keys(run.jobs).sort();
    expect(shards, run.output).toEqual([1, 2, 3, 4].map((i) => `drift: [${i}/4]`));
    const drifted = shards.filter((job) => run.jobs[job] === 3);
    expect(drifted, run.output).toHaveLength(1);
    expect(shards.filter((job) => run.jobs[job] !== 3).map((job) => run.jobs[job])).toEqual([0, 0, 0]);
    const report = await doc(run, drifted[0]!, 'drift.json');
    expect(report.stacks.map((s) => [s.name, (s as StackDoc & { action?: string }).action])).toEqual([['app', 'reported']]);
    expect(await readFile(path.join(run.artifacts(drifted[0]!), 'drift.md'), 'utf8')).toContain('edited by hand');
    const issue = project().issues.find((i) => i.title === 'Drift on stack app');
    expect(issue).toMatchObject({ state: 'open', author: 'project_42_bot_drift' });
    expect(issue!.body).toContain('edited by hand');
    // Reported, left for a person: the hand edit is still there.
    expect(await readFile(live(), 'utf8')).toBe('{"generation":"edited by hand"}\n');
  });
});
