import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jobNeeds } from '../../src/forge/access.js';
import { repoRoot } from '../helpers/sandbox.js';

const exec = promisify(execFile);

interface GitlabCache {
  key: string | { files?: string[]; prefix?: string };
  paths: string[];
  when?: string;
}
interface GitlabJob {
  stage?: string;
  image?: string;
  rules?: { if: string }[];
  variables?: Record<string, string>;
  id_tokens?: Record<string, { aud: string }>;
  before_script?: string[];
  script?: string[];
  cache?: GitlabCache | GitlabCache[];
  resource_group?: string;
  environment?: { name: string; deployment_tier?: string };
  parallel?: number;
}
interface GithubStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}
interface GithubJob {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean; queue?: string };
  steps: GithubStep[];
}

/** Variables that only protected branches (GitLab) or the production environment (GitHub) may see. */
const productionOnly = /PRODUCTION_|DEPLOY_|GITOPS_GITLAB_DEPLOY_TOKEN|GITOPS_GITLAB_DRIFT_TOKEN/;
/** Static cloud keys: the templates use OIDC instead. */
const staticCloudKeys = /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN/;
const zeroSha = '0'.repeat(40);
/** Installing Go from apt (Go 1.19 in Debian 12, too old for the build) or hiding a failure with `|| true`. */
const aptGoOrHiddenFailure = /golang-go|apt-get|\|\| true/;

/** Everything but comments: what GitLab or GitHub would run. */
function withoutComments(text: string): string {
  return text.replace(/^\s*#.*$/gm, '');
}

let gitlabText: string;
let gitlab: Record<string, unknown>;
let githubText: string;
let github: { permissions: Record<string, string>; env: Record<string, string>; jobs: Record<string, GithubJob> };
let tmp: string;

beforeAll(async () => {
  gitlabText = await readFile(path.join(repoRoot, '.gitlab-ci.yml'), 'utf8');
  gitlab = parse(gitlabText) as Record<string, unknown>;
  githubText = await readFile(path.join(repoRoot, '.github/workflows/gitops.yml'), 'utf8');
  github = parse(githubText) as typeof github;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-ci-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function glJob(name: string): GitlabJob {
  const job = gitlab[name] as GitlabJob | undefined;
  if (!job) throw new Error(`.gitlab-ci.yml has no job ${name}`);
  return job;
}

/** `secrets.X` and `vars.X` a GitHub job refers to. */
function referenced(job: GithubJob, kind: 'secrets' | 'vars'): string[] {
  return [...new Set([...JSON.stringify(job).matchAll(new RegExp(`\\b${kind}\\.([A-Z_]+)`, 'g'))].map((m) => m[1]!))].sort();
}

/**
 * Runs a CI shell script with bash, a stand-in `npx` that records its arguments, and `env`;
 * returns the recorded `npx` calls and where the run left its files.
 */
async function runScript(script: string, env: Record<string, string>): Promise<{ calls: string[]; dir: string }> {
  const dir = await mkdtemp(path.join(tmp, 'run-'));
  await writeFile(path.join(dir, 'npx'), `#!/bin/sh\necho "$*" >> "${dir}/npx-calls"\n`);
  await chmod(path.join(dir, 'npx'), 0o755);
  await exec('bash', ['-euo', 'pipefail', '-c', script], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, ...env } });
  const calls = await readFile(path.join(dir, 'npx-calls'), 'utf8').then(
    (t) => t.trim().split('\n'),
    () => [],
  );
  return { calls, dir };
}

describe('GitLab template: merge request jobs get no production secrets', () => {
  it('previews same-project merge requests only; forks get a job that explains and runs nothing', () => {
    const preview = glJob('preview');
    expect(preview.rules!.map((r) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_MERGE_REQUEST_PROJECT_ID',
    ]);
    expect(preview.script!.join('\n')).toMatch(/npx gitops preview --base .* --comment/);
    const fork = glJob('preview-fork');
    expect(fork.rules!.map((r) => r.if)).toEqual([
      '$CI_PIPELINE_SOURCE == "merge_request_event" && $CI_MERGE_REQUEST_SOURCE_PROJECT_ID != $CI_MERGE_REQUEST_PROJECT_ID',
    ]);
    expect(fork.script!.join('\n')).toContain('preview skipped');
    expect(fork.script!.join('\n')).not.toContain('gitops preview --');
    expect([fork.before_script, fork.cache, fork.variables, fork.id_tokens]).toEqual([[], [], undefined, undefined]);
  });

  it('gives jobs that run in merge request pipelines no protected variable, and nothing global does either', () => {
    const runsInMergeRequests = (j: unknown): boolean => JSON.stringify((j as GitlabJob).rules ?? []).includes('merge_request_event');
    const inMergeRequests = Object.entries(gitlab).filter(([, j]) => runsInMergeRequests(j));
    expect(inMergeRequests.map(([name]) => name).sort()).toEqual(['preview', 'preview-fork', 'toolchain']);
    for (const [name, job] of inMergeRequests) expect(JSON.stringify(job), name).not.toMatch(productionOnly);
    expect(JSON.stringify([gitlab.variables, gitlab.default])).not.toMatch(productionOnly);
  });

  it('gives the preview job its own forge token, and deploy and drift another', () => {
    expect(glJob('preview').variables!.GITOPS_GITLAB_TOKEN).toBe('$GITOPS_GITLAB_MR_TOKEN');
    expect(glJob('deploy').variables!.GITOPS_GITLAB_TOKEN).toBe('$GITOPS_GITLAB_DEPLOY_TOKEN');
    expect(glJob('drift').variables!.GITOPS_GITLAB_TOKEN).toBe('$GITOPS_GITLAB_DRIFT_TOKEN');
    // The least role that can comment, documented where the variable is defined.
    expect(gitlabText).toMatch(/GITOPS_GITLAB_MR_TOKEN\s+masked\. Project access token, role Reporter/);
  });

  it('gets cloud credentials by OIDC (id_tokens), a read-only role for previews, never static keys', () => {
    expect(gitlabText).not.toMatch(staticCloudKeys);
    const roles = [
      ['preview', '$PREVIEW_AWS_ROLE_ARN'],
      ['deploy', '$DEPLOY_AWS_ROLE_ARN'],
      ['drift', '$DEPLOY_AWS_ROLE_ARN'],
    ] as const;
    for (const [name, role] of roles) {
      const job = glJob(name);
      expect(job.id_tokens, name).toEqual({ AWS_ID_TOKEN: { aud: 'sts.amazonaws.com' } });
      expect(job.variables!.AWS_ROLE_ARN, name).toBe(role);
      expect(job.script![0], name).toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
    }
  });

  it('writes the ID token to the web identity file the AWS SDKs read', async () => {
    const script = [...glJob('preview').script!.slice(0, 1), 'cat "$AWS_WEB_IDENTITY_TOKEN_FILE" > token-copy'].join('\n');
    const { dir } = await runScript(script, { AWS_ID_TOKEN: 'eyJ.oidc.token' });
    expect(await readFile(path.join(dir, 'token-copy'), 'utf8')).toBe('eyJ.oidc.token');
  });
});

describe('GitLab template: jobs, caches and toolchain', () => {
  it('keeps protected-branch caches apart from merge request caches, caching the npm cache, the Pulumi CLI and plugins', () => {
    const [cache] = (gitlab.default as GitlabJob).cache as GitlabCache[];
    expect(cache!.key).toEqual({ files: ['package-lock.json'], prefix: 'gitops-protected-$CI_COMMIT_REF_PROTECTED' });
    expect(cache!.paths).toEqual(expect.arrayContaining(['.cache/npm/', '.cache/pulumi/versions/', '.cache/pulumi/home/plugins/']));
    // npm ci deletes node_modules: caching it is wasted work.
    expect(cache!.paths).not.toContain('node_modules/');
    const vars = gitlab.variables as Record<string, string>;
    expect(vars.npm_config_cache).toBe('$CI_PROJECT_DIR/.cache/npm');
    expect(vars.GITOPS_TOOLCHAIN_HOME).toBe('$CI_PROJECT_DIR/.cache/pulumi/versions');
    expect(vars.PULUMI_HOME).toBe('$CI_PROJECT_DIR/.cache/pulumi/home');
  });

  it('drift keeps the default cache and no history of its own (it is kept with the state), and runs its shards in parallel', () => {
    const drift = glJob('drift');
    expect(drift.cache).toBeUndefined();
    expect(gitlabText).not.toMatch(/drift-history|--history/);
    expect(drift.parallel).toBe(4);
    expect(drift.resource_group).toBeUndefined();
    expect(drift.script!.join('\n')).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
    expect(drift.rules!.map((r) => r.if)).toEqual(['$CI_PIPELINE_SOURCE == "schedule" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH']);
  });

  it('serializes deploys on the default branch, each stack from its last deployed commit, whatever the before-SHA', async () => {
    const deploy = glJob('deploy');
    expect(deploy.resource_group).toBe('production');
    expect(deploy.environment).toEqual({ name: 'production', deployment_tier: 'production' });
    expect(gitlabText).toContain('process_mode=oldest_first');
    expect(deploy.rules!.map((r) => r.if)).toEqual(['$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE == "push"']);
    // The whole history: a stack's last deployed commit may be older than any fixed depth.
    expect(deploy.variables!.GIT_DEPTH).toBe('0');
    expect(deploy.script!.join('\n')).not.toContain('CI_COMMIT_BEFORE_SHA');
    // OIDC, then the reviewed plans (test/unit/ci-fetch-plans.test.ts runs that part), then the bound deploy.
    const [identity, fetchPlans, ...rest] = deploy.script!;
    expect([identity, fetchPlans]).toEqual([glJob('preview').script![0], gitlab['.fetch-plans']]);
    for (const before of [zeroSha, 'a1b2c3']) {
      const run = await runScript([identity, ...rest].join('\n'), { AWS_ID_TOKEN: 't', CI_COMMIT_BEFORE_SHA: before });
      expect(run.calls).toEqual(['gitops deploy --since-deployed --plans gitops-plans --json']);
    }
  });

  it('binds the deploy to the plans the merge request preview saved; a manual job deploys unbound, in the same queue', async () => {
    expect(glJob('preview').script!.join('\n')).toContain('--save-plans gitops-plans');
    expect((glJob('preview') as GitlabJob & { artifacts: { paths: string[] } }).artifacts.paths).toContain('gitops-plans/');
    const unbound = glJob('deploy-unbound') as GitlabJob & { extends: string; allow_failure: boolean };
    expect(unbound.extends).toBe('deploy');
    expect(unbound.rules).toEqual([{ if: glJob('deploy').rules![0]!.if, when: 'manual' }]);
    expect(unbound.allow_failure).toBe(true);
    const run = await runScript(unbound.script!.join('\n'), { AWS_ID_TOKEN: 't' });
    expect(run.calls).toEqual(['gitops deploy --since-deployed --json']);
  });

  it('takes Go from a Go image, not from apt, and hides no failure', () => {
    expect(withoutComments(gitlabText)).not.toMatch(aptGoOrHiddenFailure);
    const toolchain = glJob('toolchain');
    expect(toolchain.stage).toBe('.pre');
    const [, major, minor] = /^golang:(\d+)\.(\d+)/.exec(toolchain.image!)!;
    expect(Number(major) * 100 + Number(minor)).toBeGreaterThanOrEqual(125);
    expect(toolchain.script).toEqual(['npx gitops toolchain']);
  });
});

describe('GitHub template: pull request jobs get no production secrets', () => {
  it('previews same-repository pull requests only; forks get a job that explains and runs nothing', () => {
    const { preview, 'preview-fork': fork } = github.jobs;
    expect(preview!.if).toBe("github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository");
    expect(fork!.if).toBe("github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name != github.repository");
    expect(fork!.permissions).toEqual({});
    expect(JSON.stringify(fork!.steps)).toContain('preview skipped');
    expect(JSON.stringify(fork!.steps)).not.toMatch(/npx gitops|secrets\./);
  });

  it('gives the preview job no environment, only the non-production passphrase and its own comment-only token', () => {
    const preview = github.jobs.preview!;
    expect(preview.environment).toBeUndefined();
    expect(referenced(preview, 'secrets')).toEqual(['GITHUB_TOKEN', 'PULUMI_CONFIG_PASSPHRASE']);
    expect(JSON.stringify(preview)).not.toMatch(productionOnly);
    expect(preview.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', 'id-token': 'write' });
    expect(github.permissions).toEqual({ contents: 'read' });
    expect(JSON.stringify(github.env)).not.toMatch(/secrets\./);
  });

  it('gets cloud credentials by OIDC with a role, read-only for previews, never static keys', () => {
    expect(githubText).not.toMatch(staticCloudKeys);
    const roles = [
      ['preview', 'PREVIEW_AWS_ROLE_ARN'],
      ['deploy', 'DEPLOY_AWS_ROLE_ARN'],
      ['drift', 'DEPLOY_AWS_ROLE_ARN'],
    ] as const;
    for (const [name, role] of roles) {
      const job = github.jobs[name]!;
      expect(job.permissions!['id-token'], name).toBe('write');
      const aws = job.steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      expect(aws?.with?.['role-to-assume'], name).toBe(`\${{ vars.${role} }}`);
    }
  });

  it('gives deploy and drift the production environment and its secrets', () => {
    for (const name of ['deploy', 'drift']) {
      const job = github.jobs[name]!;
      expect(job.environment).toBe('production');
      const secrets = ['DEPLOY_KUBECONFIG', 'GITHUB_TOKEN', 'PRODUCTION_PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE'];
      expect(referenced(job, 'secrets'), name).toEqual(secrets);
    }
    expect(github.jobs.drift!.permissions).toEqual({ contents: 'read', issues: 'write', 'id-token': 'write' });
    // Deploy reports back: statuses on the deployed commit, a comment on each merged pull request;
    // it reads the merged pull request's plans, an artifact of the preview run.
    expect(github.jobs.deploy!.permissions).toEqual({
      contents: 'read',
      'pull-requests': 'write',
      statuses: 'write',
      actions: 'read',
      'id-token': 'write',
    });
  });
});

describe('GitHub template: concurrency, kubeconfig, before-SHA, caches and toolchain', () => {
  it('queues deploys in a group of their own and never cancels them; drift shards have their own groups', () => {
    const { deploy, drift } = github.jobs;
    expect(deploy!.concurrency).toEqual({ group: 'gitops-deploy', 'cancel-in-progress': false, queue: 'max' });
    expect(drift!.concurrency).toEqual({ group: 'gitops-drift-${{ matrix.shard }}', 'cancel-in-progress': false });
  });

  it('writes DEPLOY_KUBECONFIG to a private file and exports KUBECONFIG, in deploy and drift', async () => {
    for (const name of ['deploy', 'drift']) {
      const step = github.jobs[name]!.steps.find((s) => s.env?.KUBECONFIG_DATA);
      expect(step?.env?.KUBECONFIG_DATA, name).toBe('${{ secrets.DEPLOY_KUBECONFIG }}');
      const runner = await mkdtemp(path.join(tmp, 'runner-'));
      const githubEnv = path.join(runner, 'github-env');
      await runScript(step!.run!, { KUBECONFIG_DATA: 'apiVersion: v1\nkind: Config', RUNNER_TEMP: runner, GITHUB_ENV: githubEnv });
      const kubeconfig = path.join(runner, 'kubeconfig');
      expect(await readFile(githubEnv, 'utf8')).toBe(`KUBECONFIG=${kubeconfig}\n`);
      expect(await readFile(kubeconfig, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
      expect((await stat(kubeconfig)).mode & 0o777).toBe(0o600);
    }
  });

  it('deploys each stack from its last deployed commit, with the whole history checked out; no before-SHA fallback', async () => {
    const { deploy } = github.jobs;
    const step = deploy!.steps.find((s) => s.name === 'Deploy')!;
    expect(step.env!.BEFORE_SHA).toBeUndefined();
    expect(deploy!.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    expect(step.env!.EVENT).toBe('${{ github.event_name }}');
    // On a push, bound to the reviewed plans; run by hand (break-glass), unbound.
    expect((await runScript(step.run!, { EVENT: 'push' })).calls).toEqual(['gitops deploy --since-deployed --plans gitops-plans --json']);
    expect((await runScript(step.run!, { EVENT: 'workflow_dispatch' })).calls).toEqual(['gitops deploy --since-deployed --json']);
  });

  it('saves the plans named after the head commit; deploys on a push with them, by hand unbound; drift by hand otherwise', () => {
    const { preview, deploy, drift } = github.jobs;
    expect(preview!.steps.find((s) => s.run?.includes('npx gitops preview'))?.run).toContain('--save-plans gitops-plans');
    const upload = preview!.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'gitops-plans-${{ github.event.pull_request.head.sha }}', path: 'gitops-plans/' });
    const fetch = deploy!.steps.find((s) => s.name === 'Fetch the reviewed plans')!;
    expect(fetch.if).toBe("github.event_name == 'push'");
    expect(deploy!.steps.indexOf(fetch)).toBeLessThan(deploy!.steps.findIndex((s) => s.name === 'Deploy'));
    expect(deploy!.if).toContain("github.event_name == 'workflow_dispatch' && inputs.unbound-deploy");
    expect(deploy!.if).toContain("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    expect(drift!.if).toBe("github.event_name == 'schedule' || (github.event_name == 'workflow_dispatch' && !inputs.unbound-deploy)");
  });

  it('caches the npm cache, the Pulumi CLI and plugins, with pull request caches apart from protected ones', () => {
    const keys: Record<string, string> = {};
    for (const [name, job] of Object.entries(github.jobs)) {
      if (name === 'preview-fork') continue;
      expect(job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.cache, name).toBe('npm');
      const cache = job.steps.find((s) => s.uses?.startsWith('actions/cache@'))!;
      const paths = String(cache.with!.path).split('\n');
      expect(paths, name).toEqual(expect.arrayContaining(['.cache/pulumi/versions', '.cache/pulumi/home/plugins']));
      keys[name] = String(cache.with!.key);
    }
    expect(keys.preview).toMatch(/^gitops-toolchain-pr-/);
    expect(keys.deploy).toMatch(/^gitops-toolchain-protected-/);
    expect(keys.drift).toBe(keys.deploy);
    expect(github.env.PULUMI_HOME).toBe('${{ github.workspace }}/.cache/pulumi/home');
  });

  it('keeps no drift history in a cache: it is kept with the state', () => {
    const steps = github.jobs.drift!.steps;
    expect(steps.filter((s) => s.uses?.startsWith('actions/cache/'))).toEqual([]);
    expect(githubText).not.toMatch(/drift-history|--history/);
  });

  it('holds each report once in the job summary: gitops writes it, and no step appends it again', () => {
    for (const [name, job] of Object.entries(github.jobs)) {
      const runs = job.steps.flatMap((s) => (s.run ? [withoutComments(s.run)] : []));
      const gitopsRuns = runs.filter((r) => /npx gitops (preview|deploy|drift)\b/.test(r));
      // A report written to a file as well is one more copy for a step to append: none is asked for.
      for (const r of gitopsRuns) expect(r, name).not.toMatch(/--markdown\b/);
      const appends = runs.filter((r) => r.includes('GITHUB_STEP_SUMMARY'));
      if (gitopsRuns.length > 0) expect(appends, name).toEqual([]);
      else for (const r of appends) expect(r, name).not.toMatch(/\bcat\b|\.md\b/);
    }
  });

  it('sets up Go 1.25 or newer with setup-go, not golang-go from apt', () => {
    expect(withoutComments(githubText)).not.toMatch(aptGoOrHiddenFailure);
    for (const name of ['preview', 'deploy', 'drift']) {
      const go = github.jobs[name]!.steps.find((s) => s.uses?.startsWith('actions/setup-go@'));
      const [major, minor] = String(go?.with?.['go-version']).split('.').map(Number);
      expect(major! * 100 + minor!, name).toBeGreaterThanOrEqual(125);
    }
  });
});

describe('least rights and hygiene, as the start-of-job checks expect them', () => {
  it('grants each GitHub job exactly the permissions its start check needs (and id-token for OIDC, actions to fetch plans)', () => {
    for (const job of ['preview', 'deploy', 'drift'] as const) {
      const { 'id-token': idToken, actions, ...rest } = github.jobs[job]!.permissions as Record<string, string>;
      expect(idToken, job).toBe('write');
      // Only deploy reads artifacts (the merged pull request's plans), read-only.
      expect(actions, job).toBe(job === 'deploy' ? 'read' : undefined);
      expect(rest, job).toEqual(jobNeeds[job].github);
    }
  });

  it('pins every action by a full commit digest, with its version in a comment', () => {
    const uses = [...githubText.matchAll(/^\s*(?:- )?uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThanOrEqual(15);
    for (const [line, ref, rest] of uses) {
      expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      expect(rest, line).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
    // The same action at the same digest everywhere: one version per action.
    const digests = new Map<string, Set<string>>();
    for (const [, ref] of uses) {
      const [name, digest] = ref!.split('@') as [string, string];
      digests.set(name, (digests.get(name) ?? new Set()).add(digest));
    }
    for (const [name, set] of digests) expect(set.size, name).toBe(1);
  });

  it('pins every GitLab image by digest', () => {
    const images = [...withoutComments(gitlabText).matchAll(/^\s*image:\s*(\S+)\s*$/gm)].map((m) => m[1]!);
    expect(images.length).toBe(2);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
  });

  it('names, for each GitLab token, the role its job checks for', () => {
    const roleOf = (variable: string) =>
      new RegExp(`${variable}\\s+masked[^.]*\\. Project access token, role (\\w+)`).exec(gitlabText)?.[1];
    expect(roleOf('GITOPS_GITLAB_MR_TOKEN')?.toLowerCase()).toBe(jobNeeds.preview.gitlab.role);
    expect(roleOf('GITOPS_GITLAB_DEPLOY_TOKEN')?.toLowerCase()).toBe(jobNeeds.deploy.gitlab.role);
    expect(roleOf('GITOPS_GITLAB_DRIFT_TOKEN')?.toLowerCase()).toBe(jobNeeds.drift.gitlab.role);
  });

  it('runs drift on schedules of the default branch only, with the whole history', () => {
    expect(JSON.stringify(glJob('drift').rules)).toContain('$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH');
    expect(glJob('drift').variables!.GIT_DEPTH).toBe('0');
    const checkout = github.jobs.drift!.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout?.with?.['fetch-depth']).toBe(0);
  });

  it('GitHub: no branch name hard-coded; one preview per pull request; no credential-less fetch', () => {
    expect(githubText).not.toMatch(/branches: \[main\]/);
    expect(github.jobs.preview!.concurrency).toMatchObject({ 'cancel-in-progress': true });
    expect(JSON.stringify(github.jobs.preview!.steps)).not.toContain('git fetch');
    expect(github.jobs.preview!.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
  });

  it('GitLab: the toolchain job is interruptible and checks the Node.js tarball', () => {
    const toolchain = glJob('toolchain') as GitlabJob & { interruptible?: boolean; before_script?: string[] };
    expect(toolchain.interruptible).toBe(true);
    expect(toolchain.before_script!.join('\n')).toContain('sha256sum -c');
  });
});
