import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { type EnvVars, forgeSettingsFromEnv, githubDefaultBranch } from '../../src/forge/ci-settings.js';
import { defaultBranchOf } from '../../src/merge-request/branch-guard.js';

const glToken = 'glpat-SECRET-gl-7f3a9c';
const ghToken = 'ghs_SECRETgh8b2d4e';
const gitlabEnv: EnvVars = {
  GITLAB_CI: 'true',
  CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
  CI_PROJECT_ID: '42',
  CI_MERGE_REQUEST_IID: '7',
  GITOPS_GITLAB_TOKEN: glToken,
  CI_PIPELINE_URL: 'https://gitlab.example.com/group/infra/-/pipelines/1001',
  CI_PIPELINE_ID: '1001',
  CI_JOB_URL: 'https://gitlab.example.com/group/infra/-/jobs/5005',
  CI_COMMIT_SHA: 'abc123',
  CI_DEFAULT_BRANCH: 'main',
  CI_PROJECT_URL: 'https://gitlab.example.com/group/infra',
};
const githubEnv: EnvVars = {
  GITHUB_ACTIONS: 'true',
  GITHUB_API_URL: 'https://ghe.example.com/api/v3',
  GITHUB_REPOSITORY: 'acme/infra',
  GITHUB_TOKEN: ghToken,
  GITHUB_SERVER_URL: 'https://ghe.example.com',
  GITHUB_RUN_ID: '555',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SHA: 'def456',
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-forge-ctx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error thrown by `run`, which must be a user FORGE_ERROR without any token in it. */
function forgeError(run: () => unknown): GitopsError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(GitopsError);
    const e = err as GitopsError;
    expect({ code: e.code, kind: e.kind }).toEqual({ code: 'FORGE_ERROR', kind: 'user' });
    for (const secret of [glToken, ghToken]) expect(`${e.message}\n${e.hint ?? ''}\n${inspect(e, { depth: 5 })}`).not.toContain(secret);
    return e;
  }
  throw new Error('expected a FORGE_ERROR');
}

describe('GitLab context', () => {
  it('reads the predefined variables', () => {
    const ctx = forgeSettingsFromEnv(gitlabEnv);
    expect({ ...ctx, token: ctx.token.reveal() }).toEqual({
      platform: 'gitlab',
      apiUrl: 'https://gitlab.example.com/api/v4',
      project: '42',
      mergeRequest: 7,
      token: glToken,
      tokenVariable: 'GITOPS_GITLAB_TOKEN',
      pipelineUrl: 'https://gitlab.example.com/group/infra/-/pipelines/1001',
      pipelineId: '1001',
      jobUrl: 'https://gitlab.example.com/group/infra/-/jobs/5005',
      commit: 'abc123',
      defaultBranch: 'main',
      projectUrl: 'https://gitlab.example.com/group/infra',
    });
  });

  it('hides the token from JSON and inspection', () => {
    const ctx = forgeSettingsFromEnv(gitlabEnv);
    expect(JSON.stringify(ctx)).not.toContain(glToken);
    expect(inspect(ctx, { depth: 5, showHidden: true })).not.toContain(glToken);
    expect(`${ctx.token}`).toBe('[secret]');
  });

  it('falls back to GITLAB_TOKEN, and prefers GITOPS_GITLAB_TOKEN', () => {
    expect(forgeSettingsFromEnv({ ...gitlabEnv, GITOPS_GITLAB_TOKEN: undefined, GITLAB_TOKEN: 'other' })).toMatchObject({
      tokenVariable: 'GITLAB_TOKEN',
    });
    expect(forgeSettingsFromEnv({ ...gitlabEnv, GITLAB_TOKEN: 'other' }).token.reveal()).toBe(glToken);
  });

  it('has no merge request outside merge request pipelines', () => {
    expect(forgeSettingsFromEnv({ ...gitlabEnv, CI_MERGE_REQUEST_IID: undefined }).mergeRequest).toBeUndefined();
  });

  it.each([
    ['CI_PROJECT_ID', { CI_PROJECT_ID: undefined }],
    ['CI_PROJECT_ID', { CI_PROJECT_ID: '  ' }],
    ['GITOPS_GITLAB_TOKEN', { GITOPS_GITLAB_TOKEN: undefined }],
    ['CI_API_V4_URL must be an http(s) URL ending in /api/v4', { CI_API_V4_URL: 'https://gitlab.example.com' }],
    ['CI_MERGE_REQUEST_IID', { CI_MERGE_REQUEST_IID: 'seven' }],
  ])('names %s when it is missing or wrong', (name, change) => {
    expect(forgeError(() => forgeSettingsFromEnv({ ...gitlabEnv, ...change })).message).toContain(name);
  });

  it('needs CI_API_V4_URL once GitLab is chosen', () => {
    expect(forgeError(() => forgeSettingsFromEnv({ ...gitlabEnv, CI_API_V4_URL: undefined, GITOPS_FORGE: 'gitlab' })).message).toContain(
      'CI_API_V4_URL is not set',
    );
  });
});

describe('GitHub context', () => {
  it('reads the PR number and default branch from the event payload', async () => {
    const event = path.join(dir, 'event.json');
    await writeFile(event, JSON.stringify({ pull_request: { number: 12 }, repository: { default_branch: 'trunk' } }));
    const ctx = forgeSettingsFromEnv({ ...githubEnv, GITHUB_EVENT_PATH: event, GITHUB_REF: 'refs/pull/99/merge' });
    expect({ ...ctx, token: ctx.token.reveal() }).toEqual({
      platform: 'github',
      apiUrl: 'https://ghe.example.com/api/v3',
      project: 'acme/infra',
      mergeRequest: 12,
      token: ghToken,
      tokenVariable: 'GITHUB_TOKEN',
      pipelineUrl: 'https://ghe.example.com/acme/infra/actions/runs/555',
      pipelineId: '555',
      jobUrl: 'https://ghe.example.com/acme/infra/actions/runs/555/attempts/2',
      commit: 'def456',
      defaultBranch: 'trunk',
      projectUrl: 'https://ghe.example.com/acme/infra',
    });
  });

  it('falls back to GITHUB_REF, and to api.github.com', async () => {
    const push = path.join(dir, 'push.json');
    await writeFile(push, JSON.stringify({ ref: 'refs/heads/main' }));
    const ctx = forgeSettingsFromEnv({
      ...githubEnv,
      GITHUB_API_URL: undefined,
      GITHUB_EVENT_PATH: push,
      GITHUB_REF: 'refs/pull/34/merge',
    });
    expect(ctx).toMatchObject({ mergeRequest: 34, apiUrl: 'https://api.github.com' });
    expect(forgeSettingsFromEnv({ ...githubEnv, GITHUB_REF: 'refs/heads/main' }).mergeRequest).toBeUndefined();
  });

  it('prefers GITOPS_GITHUB_TOKEN', () => {
    expect(forgeSettingsFromEnv({ ...githubEnv, GITOPS_GITHUB_TOKEN: 'pat' })).toMatchObject({ tokenVariable: 'GITOPS_GITHUB_TOKEN' });
  });

  it.each([
    ['GITHUB_REPOSITORY', { GITHUB_REPOSITORY: undefined, GITOPS_FORGE: 'github' }],
    ['GITHUB_REPOSITORY must be owner/repo', { GITHUB_REPOSITORY: 'infra' }],
    ['GITHUB_TOKEN', { GITHUB_TOKEN: undefined }],
    ['GITHUB_EVENT_PATH', { GITHUB_EVENT_PATH: '/nonexistent/event.json' }],
  ])('names %s when it is missing or wrong', (name, change) => {
    expect(forgeError(() => forgeSettingsFromEnv({ ...githubEnv, ...change })).message).toContain(name);
  });
});

describe('the default branch of the branch guard', () => {
  const events: Record<string, string> = {
    '/event/push.json': JSON.stringify({ ref: 'refs/heads/trunk', repository: { default_branch: 'trunk' } }),
  };
  const deps = { readFile: (p: string) => events[p] ?? '{}' };
  const onGithub = { ...githubEnv, GITHUB_EVENT_PATH: '/event/push.json' };

  it('GitHub: comes from the event payload, because GitHub sets no GITHUB_DEFAULT_BRANCH', () => {
    expect(githubDefaultBranch(onGithub, deps)).toBe('trunk');
    expect(defaultBranchOf(onGithub, undefined, deps)).toBe('trunk');
    // A variable GitHub never sets must not decide; before, this silently became main.
    expect(defaultBranchOf({ ...onGithub, GITHUB_DEFAULT_BRANCH: 'main' }, undefined, deps)).toBe('trunk');
  });

  it('the flag and GITOPS_DEFAULT_BRANCH win; GitLab uses CI_DEFAULT_BRANCH; else main', () => {
    expect(defaultBranchOf(onGithub, 'release', deps)).toBe('release');
    expect(defaultBranchOf({ ...onGithub, GITOPS_DEFAULT_BRANCH: 'prod' }, undefined, deps)).toBe('prod');
    expect(defaultBranchOf({ ...gitlabEnv, CI_DEFAULT_BRANCH: 'develop' }, undefined, deps)).toBe('develop');
    expect(defaultBranchOf({ ...githubEnv, GITHUB_EVENT_PATH: '/event/other.json' }, undefined, deps)).toBe('main');
    expect(defaultBranchOf({ HOME: '/root' }, undefined, deps)).toBe('main');
  });

  it('reads the real event file by default', async () => {
    const event = path.join(dir, 'push-event.json');
    await writeFile(event, JSON.stringify({ repository: { default_branch: 'mainline' } }));
    expect(defaultBranchOf({ ...githubEnv, GITHUB_EVENT_PATH: event })).toBe('mainline');
  });
});

describe('platform choice', () => {
  it('detects the CI, and GITOPS_FORGE overrides it', () => {
    expect(forgeSettingsFromEnv(gitlabEnv).platform).toBe('gitlab');
    expect(forgeSettingsFromEnv(githubEnv).platform).toBe('github');
    expect(forgeSettingsFromEnv({ ...gitlabEnv, ...githubEnv, GITOPS_FORGE: 'GitHub' }).platform).toBe('github');
    expect(forgeSettingsFromEnv({ ...gitlabEnv, ...githubEnv, GITHUB_ACTIONS: undefined, GITOPS_FORGE: 'gitlab' }).platform).toBe('gitlab');
  });

  it('explains what to set when no CI is recognised', () => {
    expect(forgeError(() => forgeSettingsFromEnv({ HOME: '/root' })).hint).toContain('GITOPS_FORGE');
    expect(forgeError(() => forgeSettingsFromEnv({ ...gitlabEnv, GITOPS_FORGE: 'bitbucket' })).message).toContain(
      'GITOPS_FORGE must be gitlab or github',
    );
  });
});
