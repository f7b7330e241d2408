import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import { unless } from './api-call.js';
import type { ForgeSettings } from './ci-settings.js';
import type { ForgeOptions } from './forge.js';
import { type ForgeApi, forgeApi } from './forge-api.js';
import { GITHUB_ACTIONS_BOT } from './identity.js';
import { forgeRetryPolicy } from './retry-policy.js';

// Octokit logs every failed request to console.error; ours surface as thrown FORGE_ERRORs.
const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/*
 * Retries: @octokit/plugin-throttling waits out GitHub's rate limits (403/429 with
 * x-ratelimit-remaining 0 until x-ratelimit-reset, or a secondary limit's Retry-After) for any
 * method, since a rate-limited request was not processed; @octokit/plugin-retry retries other
 * failures (5xx, network) with growing waits. POSTs that create something opt out of the
 * latter (`noBlindRetry`): a 502 may follow a comment GitHub did create; createOnce looks for
 * it instead. Both are bounded by the retry policy.
 */
const RetryingOctokit = Octokit.plugin(retry, throttling);
/** Request option for a POST that creates something: no blind retry (see above). */
export const noBlindRetry = { request: { retries: 0 } };
// 429 and 403 belong to the throttling plugin; the rest are answers a retry cannot change.
const doNotRetry = [400, 401, 403, 404, 410, 422, 429, 451];

function octokitOf(ctx: ForgeSettings, options: ForgeOptions): Octokit {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const policy = options.retryPolicy ?? forgeRetryPolicy;
  // Wait out a rate limit only as long as the policy allows a single wait, and only so often.
  const waitOut = (retryAfterSeconds: number, _options: unknown, _octokit: unknown, retryCount: number): boolean =>
    retryCount < policy.maxAttempts - 1 && retryAfterSeconds * 1000 <= policy.maxDelayMs;
  return new RetryingOctokit({
    auth: ctx.token.reveal(),
    baseUrl: ctx.apiUrl,
    userAgent: 'pulumi-gitops',
    log: silent,
    request: {
      fetch: (url: string, init?: RequestInit) => fetch(url, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
    // plugin-retry waits (n+1)² × retryAfterBaseValue before retry n+1: 0.5 s, 2 s, 4.5 s by default.
    retry: { retries: policy.maxAttempts - 1, doNotRetry, retryAfterBaseValue: policy.baseDelayMs },
    throttle: {
      onRateLimit: waitOut,
      onSecondaryRateLimit: waitOut,
      // GitHub asks for a second between writes, the plugin's groups wait 1 s (3 s for writes that notify people).
      ...(options.writeSpacingMs !== undefined
        ? {
            write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
            notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeSpacingMs }),
          }
        : {}),
    },
  });
}

/** The GitHub REST API of one repository, through @octokit/rest. */
export interface GithubClient extends ForgeApi {
  readonly octokit: Octokit;
  /** `{ owner, repo }`, spread into every request. */
  readonly repo: { owner: string; repo: string };
}

/** The client of `ctx`'s repository: one Octokit with our retry and throttling policy, our user asked once. */
export function githubClient(ctx: ForgeSettings, options: ForgeOptions = {}): GithubClient {
  const octokit = octokitOf(ctx, options);
  const [owner = '', repo = ''] = ctx.project.split('/');
  const api = forgeApi(ctx, {
    platform: 'github',
    projectPath: `/repos/${ctx.project}`,
    /*
     * `GET /user`. A GitHub App installation token (the Actions GITHUB_TOKEN among them) gets 403
     * there: it then writes as its app's bot, `github-actions[bot]` unless GITOPS_GITHUB_BOT names another.
     */
    whoAmI: async (a) => {
      const user = await a.callRoot('GET', '/user', () => unless([403], undefined, () => octokit.rest.users.getAuthenticated()));
      return { username: user?.data.login ?? ctx.githubBot ?? GITHUB_ACTIONS_BOT };
    },
    readDefaultBranch: async (a) => (await a.call('GET', '', () => octokit.rest.repos.get({ owner, repo }))).data.default_branch,
  });
  return { ...api, octokit, repo: { owner, repo } };
}
