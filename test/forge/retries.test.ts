import { beforeEach, describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { RetryNotice } from '../../src/forge/gitlab-requester.js';
import { ciEnv, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

/**
 * Forge clients facing a flaky or rate-limiting forge: idempotent calls are retried with
 * backoff honouring Retry-After, a POST is never repeated blindly after a 502, and an
 * ambiguous failure of a note's creation never leaves two notes.
 */
let server: ForgeServer;
let notices: RetryNotice[];
freshForgeServerEachTest((s) => {
  server = s;
});
beforeEach(() => {
  notices = [];
  server.state.faults.length = 0;
});

const gitlab = (mr: number) =>
  createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab', { CI_MERGE_REQUEST_IID: String(mr) })), {
    ...testForgeOptions,
    onRetry: (n) => notices.push(n),
  });
const github = (pr: number) =>
  createForge(forgeSettingsFromEnv(ciEnv(server, 'github', { GITHUB_REF: `refs/pull/${pr}/merge` })), testForgeOptions);
const requests = (method: string, path: string) => server.requests.filter((r) => r.method === method && r.path.includes(path));
const comments = (platform: 'gitlab' | 'github', mr: number) =>
  server.state.project(platform, testProjects[platform]).mergeRequests.find((m) => m.number === mr)!.comments;

describe('GitLab client retries (replacing gitbeaker 43.8 own retries)', () => {
  it('retries a GET answered 502 with backoff, then succeeds', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 21 });
    server.state.addFault({ platform: 'gitlab', method: 'GET', path: '/merge_requests/21/notes', status: 502, times: 2 });
    const result = await gitlab(21).upsertMergeRequestComment('preview', 'hello');
    expect(result.action).toBe('created');
    expect(requests('GET', '/merge_requests/21/notes')).toHaveLength(3);
    expect(notices.map((n) => [n.method, 'status' in n.failure ? n.failure.status : 'network'])).toEqual([
      ['GET', 502],
      ['GET', 502],
    ]);
  });

  it('honours Retry-After on a 429, even for a POST (a rate-limited request was not processed)', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 22 });
    server.state.addFault({
      platform: 'gitlab',
      method: 'POST',
      path: '/merge_requests/22/notes',
      status: 429,
      headers: { 'retry-after': '1' },
      times: 1,
    });
    expect((await gitlab(22).upsertMergeRequestComment('preview', 'hello')).action).toBe('created');
    expect(notices).toEqual([expect.objectContaining({ method: 'POST', delayMs: 1000, failure: { status: 429, retryAfter: '1' } })]);
    expect(requests('POST', '/merge_requests/22/notes')).toHaveLength(2);
    expect(comments('gitlab', 22)).toHaveLength(1);
  });

  it('a POST whose reply was lost (502 after GitLab created the note) is not posted again: the note is found', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 23 });
    server.state.addFault({ platform: 'gitlab', method: 'POST', path: '/merge_requests/23/notes', status: 502, when: 'after', times: 1 });
    const result = await gitlab(23).upsertMergeRequestComment('deploy:1', 'deployed');
    expect(result).toMatchObject({ action: 'created', id: comments('gitlab', 23)[0]!.id });
    expect(requests('POST', '/merge_requests/23/notes')).toHaveLength(1);
    expect(comments('gitlab', 23)).toHaveLength(1);
    expect(notices).toEqual([]);
  });

  it('a POST answered 502 before GitLab handled it is posted once more, after looking for the note', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 24 });
    server.state.addFault({ platform: 'gitlab', method: 'POST', path: '/merge_requests/24/notes', status: 502, times: 1 });
    expect((await gitlab(24).upsertMergeRequestComment('deploy:1', 'deployed')).action).toBe('created');
    expect(requests('POST', '/merge_requests/24/notes')).toHaveLength(2);
    // Listed before the first POST, then again before posting a second time.
    expect(requests('GET', '/merge_requests/24/notes')).toHaveLength(2);
    expect(comments('gitlab', 24)).toHaveLength(1);
  });

  it('gives up within its bounds on a forge that keeps failing, naming the call', async () => {
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 25 });
    server.state.addFault({ platform: 'gitlab', method: 'GET', path: '/merge_requests/25/notes', status: 503, times: 100 });
    const err = await gitlab(25)
      .upsertMergeRequestComment('preview', 'x')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FORGE_ERROR' });
    expect((err as Error).message).toContain('GET /projects/42/merge_requests/25/notes failed: HTTP 503');
    expect(requests('GET', '/merge_requests/25/notes')).toHaveLength(testForgeOptions.retryPolicy!.maxAttempts);
  });

  it('repeats a commit status POST on a 502: statuses are last-writer-wins, so it is harmless', async () => {
    server.state.addFault({ platform: 'gitlab', method: 'POST', path: '/statuses/', status: 502, times: 1 });
    await gitlab(25).setCommitStatus('c'.repeat(40), { name: 'gitops/web', state: 'success', description: 'deployed' });
    expect(requests('POST', `/statuses/${'c'.repeat(40)}`)).toHaveLength(2);
    expect(server.state.project('gitlab', testProjects.gitlab).statuses.filter((s) => s.sha === 'c'.repeat(40))).toHaveLength(1);
  });
});

describe('GitHub client retries (@octokit/plugin-retry and plugin-throttling)', () => {
  it('retries a GET answered 502', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 31 });
    server.state.addFault({ platform: 'github', method: 'GET', path: '/issues/31/comments', status: 502, times: 1 });
    expect((await github(31).upsertMergeRequestComment('preview', 'hello')).action).toBe('created');
    expect(requests('GET', '/issues/31/comments')).toHaveLength(2);
  });

  it('waits out a secondary rate limit (429 with Retry-After) on a POST, and posts once', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 32 });
    // rate-limits.md: a secondary rate limit answers 403 or 429 with a message saying so, and Retry-After.
    server.state.addFault({
      platform: 'github',
      method: 'POST',
      path: '/issues/32/comments',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      times: 1,
    });
    expect((await github(32).upsertMergeRequestComment('preview', 'hello')).action).toBe('created');
    expect(requests('POST', '/issues/32/comments')).toHaveLength(2);
    expect(comments('github', 32)).toHaveLength(1);
  });

  it('a POST whose reply was lost (502 after GitHub created the comment) is not posted again', async () => {
    server.state.addMergeRequest('github', testProjects.github, { number: 33 });
    server.state.addFault({ platform: 'github', method: 'POST', path: '/issues/33/comments', status: 502, when: 'after', times: 1 });
    expect((await github(33).upsertMergeRequestComment('deploy:99', 'deployed')).action).toBe('created');
    expect(requests('POST', '/issues/33/comments')).toHaveLength(1);
    expect(comments('github', 33)).toHaveLength(1);
  });
});
