import { inspect } from 'node:util';
import { MergeRequestNotes } from '@gitbeaker/rest';
import { Octokit } from '@octokit/rest';
import { describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { forgeHttpError } from '../../src/forge/api-call.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import { type ForgePlatform, GITHUB_MAX_BODY_CHARS, GITLAB_MAX_BODY_CHARS } from '../../src/forge/forge.js';
import { SecretToken } from '../../src/forge/secret.js';
import { ciEnv, type ForgeServer, startForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
  for (const platform of ['gitlab', 'github'] as const) server.state.addMergeRequest(platform, testProjects[platform], { number: 7 });
});

const wrongToken = 'glpat-WRONG-but-still-secret-4711';
const tokenVar = { gitlab: 'GITOPS_GITLAB_TOKEN', github: 'GITHUB_TOKEN' } as const;
const listPath = { gitlab: '/projects/42/merge_requests/7/notes', github: '/repos/acme/infra/issues/7/comments' } as const;

async function failure(run: () => Promise<unknown>): Promise<GitopsError> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitopsError);
  return err as GitopsError;
}

/** Everything a log could show of the error: message, hint, cause chain, inspection, JSON. */
const everything = (e: GitopsError) => `${e.message}\n${e.hint}\n${inspect(e, { depth: 10, showHidden: true })}\n${JSON.stringify(e)}`;

describe.each(['gitlab', 'github'] as const)('%s API failures', (platform: ForgePlatform) => {
  it('a rejected token: FORGE_ERROR with method, path and status, and never the token', async () => {
    const forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform, { [tokenVar[platform]]: wrongToken })), testForgeOptions);
    const err = await failure(() => forge.upsertMergeRequestComment('preview', 'body', 7));
    expect(err).toMatchObject({ code: 'FORGE_ERROR', kind: 'user' });
    expect(err.message).toContain(`GET ${listPath[platform]} failed: HTTP 401`);
    expect(err.hint).toContain(tokenVar[platform]);
    // The server did receive it: the test would be vacuous otherwise.
    expect(JSON.stringify(server.requests.at(-1)!.headers)).toContain(wrongToken);
    expect(everything(err)).not.toContain(wrongToken);
  });

  it('an unknown merge request: HTTP 404 as a user error', async () => {
    const forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);
    const err = await failure(() => forge.mergeRequestApprovals(404));
    expect(err).toMatchObject({ code: 'FORGE_ERROR', kind: 'user' });
    expect(err.message).toMatch(/GET \S+\/(merge_requests|pulls)\/404 failed: HTTP 404/);
  });

  it('a forge that does not answer: an external FORGE_ERROR naming the call', async () => {
    const gone = await startForgeServer();
    await gone.close();
    const forge = createForge(forgeSettingsFromEnv(ciEnv(gone, platform, { [tokenVar[platform]]: wrongToken })), testForgeOptions);
    const err = await failure(() => forge.closeIssue('drift:prod'));
    expect(err).toMatchObject({ code: 'FORGE_ERROR', kind: 'external' });
    // No status: nothing answered (octokit itself calls this a 500).
    // The first call learns who we are (GET /user), before listing issues.
    expect(err.message).toMatch(/^(GitLab|GitHub) API GET \/user failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(everything(err)).not.toContain(wrongToken);
  });
});

describe('forgeHttpError', () => {
  it('redacts a token the server echoed back', () => {
    const token = new SecretToken('ghs_echoed_secret');
    const err = forgeHttpError(
      { platform: 'github', method: 'POST', path: '/repos/a/b/issues' },
      { message: 'x', response: { status: 500, data: { message: 'bad token ghs_echoed_secret' } } },
      token,
      'GITHUB_TOKEN',
    );
    expect(err.message).toBe('GitHub API POST /repos/a/b/issues failed: HTTP 500: bad token [secret]');
    expect(err.kind).toBe('external');
    expect(everything(err)).not.toContain('ghs_echoed_secret');
  });

  it("keeps the validation details of the real clients' errors", async () => {
    // The forge refuses oversize bodies before sending, so provoke the servers' own checks
    // with the clients directly, and classify what they throw.
    const gh = new Octokit({
      baseUrl: server.githubApiUrl,
      auth: server.state.tokens.github,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const ghErr = await gh.rest.issues
      .createComment({ owner: 'acme', repo: 'infra', issue_number: 7, body: 'x'.repeat(GITHUB_MAX_BODY_CHARS + 1) })
      .catch((e: unknown) => e);
    expect(
      forgeHttpError(
        { platform: 'github', method: 'POST', path: '/repos/acme/infra/issues/7/comments' },
        ghErr,
        new SecretToken(server.state.tokens.github),
        'GITHUB_TOKEN',
      ).message,
    ).toBe(
      'GitHub API POST /repos/acme/infra/issues/7/comments failed: HTTP 422: Validation Failed: body is too long (maximum is 65536 characters)',
    );
    const gl = new MergeRequestNotes({ host: server.url, token: server.state.tokens.gitlab });
    const glErr = await gl.create('42', 7, 'x'.repeat(GITLAB_MAX_BODY_CHARS + 1)).catch((e: unknown) => e);
    expect(
      forgeHttpError(
        { platform: 'gitlab', method: 'POST', path: '/projects/42/merge_requests/7/notes' },
        glErr,
        new SecretToken(server.state.tokens.gitlab),
        'GITOPS_GITLAB_TOKEN',
      ).message,
    ).toBe(
      'GitLab API POST /projects/42/merge_requests/7/notes failed: HTTP 400: {"note":["is too long (maximum is 1000000 characters)"]}',
    );
  });
});
