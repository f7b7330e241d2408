import { readFileSync } from 'node:fs';
import { GitopsError } from '../errors/gitops-error.js';
import { type ForgePlatform, platformName } from './forge.js';
import { SecretToken } from './secret.js';

/** Where the pipeline runs and how to reach its forge, read from the CI's predefined variables. */
export interface ForgeSettings {
  platform: ForgePlatform;
  /** REST API root: GitLab `.../api/v4`, GitHub `https://api.github.com` or `.../api/v3`. */
  apiUrl: string;
  /** GitLab project ID (or path); GitHub `owner/repo`. */
  project: string;
  /** The pipeline's merge request (GitLab IID, GitHub PR number); absent outside MR pipelines. */
  mergeRequest?: number;
  token: SecretToken;
  /** The variable the token came from, for messages. */
  tokenVariable: string;
  pipelineUrl?: string;
  /** GitLab CI_PIPELINE_ID, GitHub GITHUB_RUN_ID: keys the deploy report, so a retry updates its own comment. */
  pipelineId?: string;
  /** GitLab CI_JOB_URL; GitHub the run attempt's page. */
  jobUrl?: string;
  commit?: string;
  defaultBranch?: string;
  /** Web URL of the project, for links. */
  projectUrl?: string;
  /**
   * GitHub: the login our token writes as when `GET /user` refuses it (a GitHub App
   * installation token): GITOPS_GITHUB_BOT, e.g. `my-app[bot]`, else `github-actions[bot]`.
   */
  githubBot?: string;
}

export type EnvVars = Readonly<Record<string, string | undefined>>;

/** The one file read: GitHub's event payload, behind a parameter so tests choose it. */
export interface CiSettingsDeps {
  readFile(path: string): string;
}

const fsDeps: CiSettingsDeps = { readFile: (p) => readFileSync(p, 'utf8') };

function fail(platform: ForgePlatform | undefined, message: string, hint?: string): GitopsError {
  const prefix = platform ? `${platformName[platform]} forge: ` : 'forge: ';
  return new GitopsError({ code: 'FORGE_ERROR', kind: 'user', message: `${prefix}${message}`, hint });
}

function value(env: EnvVars, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function required(env: EnvVars, platform: ForgePlatform, name: string, hint?: string): string {
  const v = value(env, name);
  if (v === undefined) throw fail(platform, `${name} is not set`, hint);
  return v;
}

function positiveInt(platform: ForgePlatform, name: string, raw: string | number | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw fail(platform, `${name} is not a merge request number: ${JSON.stringify(raw)}`);
  return n;
}

function detectPlatform(env: EnvVars): ForgePlatform {
  const forced = value(env, 'GITOPS_FORGE')?.toLowerCase();
  if (forced === 'gitlab' || forced === 'github') return forced;
  if (forced !== undefined) throw fail(undefined, `GITOPS_FORGE must be gitlab or github, not ${JSON.stringify(env.GITOPS_FORGE)}`);
  if (value(env, 'GITLAB_CI') === 'true' || value(env, 'CI_API_V4_URL')) return 'gitlab';
  if (value(env, 'GITHUB_ACTIONS') === 'true' || value(env, 'GITHUB_REPOSITORY')) return 'github';
  throw fail(
    undefined,
    'not running in GitLab CI (CI_API_V4_URL is not set) nor GitHub Actions (GITHUB_REPOSITORY is not set)',
    "set GITOPS_FORGE=gitlab or GITOPS_FORGE=github and that platform's CI variables",
  );
}

function gitlabContext(env: EnvVars): ForgeSettings {
  const apiUrl = required(env, 'gitlab', 'CI_API_V4_URL').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+(\/.*)?\/api\/v4$/.test(apiUrl))
    throw fail('gitlab', `CI_API_V4_URL must be an http(s) URL ending in /api/v4, not ${JSON.stringify(apiUrl)}`);
  const tokenVariable = ['GITOPS_GITLAB_TOKEN', 'GITLAB_TOKEN'].find((name) => value(env, name) !== undefined);
  if (!tokenVariable) {
    throw fail(
      'gitlab',
      'no API token: GITOPS_GITLAB_TOKEN (or GITLAB_TOKEN) is not set',
      'create a project access token with the api scope and store it as a masked CI/CD variable; CI_JOB_TOKEN cannot write merge request notes',
    );
  }
  return {
    platform: 'gitlab',
    apiUrl,
    project: required(env, 'gitlab', 'CI_PROJECT_ID'),
    mergeRequest: positiveInt('gitlab', 'CI_MERGE_REQUEST_IID', value(env, 'CI_MERGE_REQUEST_IID')),
    token: new SecretToken(value(env, tokenVariable)!),
    tokenVariable,
    pipelineUrl: value(env, 'CI_PIPELINE_URL'),
    pipelineId: value(env, 'CI_PIPELINE_ID'),
    jobUrl: value(env, 'CI_JOB_URL'),
    commit: value(env, 'CI_COMMIT_SHA'),
    defaultBranch: value(env, 'CI_DEFAULT_BRANCH'),
    projectUrl: value(env, 'CI_PROJECT_URL'),
  };
}

interface GithubEvent {
  pull_request?: { number?: number };
  repository?: { default_branch?: string };
}

function readEvent(env: EnvVars, deps: CiSettingsDeps): GithubEvent | undefined {
  const file = value(env, 'GITHUB_EVENT_PATH');
  if (file === undefined) return undefined;
  try {
    return JSON.parse(deps.readFile(file)) as GithubEvent;
  } catch (err) {
    throw fail('github', `cannot read the event payload GITHUB_EVENT_PATH=${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * GitHub's default branch, from the event payload's `repository.default_branch` (push,
 * pull_request, schedule and workflow_dispatch events all carry it). GitHub Actions sets no
 * variable for it: GITHUB_DEFAULT_BRANCH does not exist. Undefined outside GitHub Actions.
 */
export function githubDefaultBranch(env: EnvVars, deps: CiSettingsDeps = fsDeps): string | undefined {
  const branch = readEvent(env, deps)?.repository?.default_branch;
  return typeof branch === 'string' && branch.trim() ? branch.trim() : undefined;
}

function githubServer(env: EnvVars): string {
  return (value(env, 'GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, '');
}

function githubRunUrl(env: EnvVars): string | undefined {
  const project = value(env, 'GITHUB_REPOSITORY');
  const runId = value(env, 'GITHUB_RUN_ID');
  return project && runId ? `${githubServer(env)}/${project}/actions/runs/${runId}` : undefined;
}

/** The run attempt's page (`.../actions/runs/ID/attempts/N`): Actions sets no variable naming the job. */
function githubAttemptUrl(env: EnvVars): string | undefined {
  const run = githubRunUrl(env);
  const attempt = value(env, 'GITHUB_RUN_ATTEMPT');
  return run && attempt ? `${run}/attempts/${attempt}` : undefined;
}

/**
 * The pipeline's web URL (GitLab CI_PIPELINE_URL, or the GitHub Actions run), for reports and
 * update messages. Needs no token, so it works where no forge API is configured.
 */
export function pipelineUrlFromEnv(env: EnvVars): string | undefined {
  return value(env, 'CI_PIPELINE_URL') ?? githubRunUrl(env);
}

/** This job's web page (GitLab CI_JOB_URL; on GitHub the run attempt's, as Actions names no job), for links in reports. */
export function jobUrlFromEnv(env: EnvVars): string | undefined {
  return value(env, 'CI_JOB_URL') ?? githubAttemptUrl(env);
}

function githubContext(env: EnvVars, deps: CiSettingsDeps): ForgeSettings {
  const project = required(env, 'github', 'GITHUB_REPOSITORY');
  if (!/^[^/\s]+\/[^/\s]+$/.test(project)) throw fail('github', `GITHUB_REPOSITORY must be owner/repo, not ${JSON.stringify(project)}`);
  const tokenVariable = ['GITOPS_GITHUB_TOKEN', 'GITHUB_TOKEN'].find((name) => value(env, name) !== undefined);
  if (!tokenVariable) {
    throw fail(
      'github',
      'no API token: GITHUB_TOKEN (or GITOPS_GITHUB_TOKEN) is not set',
      'pass it to the step (env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}) and grant permissions pull-requests: write, issues: write',
    );
  }
  const event = readEvent(env, deps);
  const fromRef = /^refs\/pull\/(\d+)\/(merge|head)$/.exec(value(env, 'GITHUB_REF') ?? '')?.[1];
  return {
    platform: 'github',
    // Actions always sets it; the default lets GITOPS_FORGE=github work from a laptop.
    apiUrl: (value(env, 'GITHUB_API_URL') ?? 'https://api.github.com').replace(/\/+$/, ''),
    project,
    mergeRequest:
      event?.pull_request?.number !== undefined
        ? positiveInt('github', 'GITHUB_EVENT_PATH pull_request.number', event.pull_request.number)
        : positiveInt('github', 'GITHUB_REF', fromRef),
    token: new SecretToken(value(env, tokenVariable)!),
    tokenVariable,
    pipelineUrl: githubRunUrl(env),
    pipelineId: value(env, 'GITHUB_RUN_ID'),
    jobUrl: githubAttemptUrl(env),
    commit: value(env, 'GITHUB_SHA'),
    defaultBranch: event?.repository?.default_branch,
    projectUrl: `${githubServer(env)}/${project}`,
    githubBot: value(env, 'GITOPS_GITHUB_BOT'),
  };
}

/**
 * The forge context from the CI's predefined variables. `GITOPS_FORGE=gitlab|github`
 * overrides detection. GitLab reads CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID,
 * GITOPS_GITLAB_TOKEN (else GITLAB_TOKEN), CI_PIPELINE_URL, CI_PIPELINE_ID, CI_JOB_URL, CI_COMMIT_SHA,
 * CI_DEFAULT_BRANCH, CI_PROJECT_URL. GitHub reads GITHUB_API_URL, GITHUB_REPOSITORY, GITOPS_GITHUB_TOKEN (else
 * GITHUB_TOKEN), the PR number from GITHUB_EVENT_PATH or GITHUB_REF, GITHUB_SERVER_URL,
 * GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_SHA and GITOPS_GITHUB_BOT. Throws FORGE_ERROR (kind user) naming the missing variable;
 * never puts a token value in a message.
 */
export function forgeSettingsFromEnv(env: EnvVars, deps: CiSettingsDeps = fsDeps): ForgeSettings {
  return detectPlatform(env) === 'gitlab' ? gitlabContext(env) : githubContext(env, deps);
}

const mrVariables: Record<ForgePlatform, string> = {
  gitlab: 'CI_MERGE_REQUEST_IID',
  github: 'GITHUB_EVENT_PATH (pull_request.number) or GITHUB_REF (refs/pull/N/merge)',
};
const commitVariables: Record<ForgePlatform, string> = { gitlab: 'CI_COMMIT_SHA', github: 'GITHUB_SHA' };

/** The merge request to act on: the one given, else the pipeline's; throws outside MR pipelines. */
export function mergeRequestOf(ctx: ForgeSettings, mr: number | undefined): number {
  const n = mr ?? ctx.mergeRequest;
  if (n === undefined)
    throw fail(
      ctx.platform,
      `no merge request: this is not a merge request pipeline (${mrVariables[ctx.platform]} gives none)`,
      'run it in a merge request pipeline, or pass the merge request number',
    );
  return n;
}

/** The commit to act on: the one given, else the pipeline's. */
export function commitOf(ctx: ForgeSettings, sha: string | undefined): string {
  const s = sha ?? ctx.commit;
  if (s === undefined) throw fail(ctx.platform, `no commit: ${commitVariables[ctx.platform]} is not set`);
  return s;
}
