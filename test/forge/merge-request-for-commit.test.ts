import { beforeEach, describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge, ForgePlatform } from '../../src/forge/forge.js';
import { ciEnv, type FakeMergeRequest, type ForgeServer, fakeSha, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
});

/**
 * The merge request of a deployed commit: only the merged MR into the default branch whose
 * merge, squash or head commit IS the commit. Forges also list open, closed and other-branch
 * MRs that merely contain it; none of those may lend its approvals.
 */
describe.each(['gitlab', 'github'] as const)('%s merge request that landed a commit', (platform: ForgePlatform) => {
  let forge: Forge;
  let next = 100;
  const project = testProjects[platform];
  beforeEach(() => {
    forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);
  });

  /** Seeds merge requests that all contain `sha`, and returns their numbers. */
  function containing(sha: string, ...mrs: Partial<FakeMergeRequest>[]): number[] {
    return mrs.map((mr) => {
      const number = next++;
      server.state.addMergeRequest(platform, project, { number, ...mr });
      server.state.linkCommit(platform, project, sha, number);
      return number;
    });
  }

  it('refuses open, closed and other-branch merge requests, and a merged one that merely contains the commit', async () => {
    const sha = fakeSha(`${platform} contained`);
    containing(
      sha,
      { state: 'open', headSha: sha },
      { state: 'closed', headSha: sha },
      { state: 'merged', targetBranch: 'release', mergeCommitSha: sha },
      { state: 'merged', mergeCommitSha: fakeSha('elsewhere') },
    );
    expect(await forge.mergeRequestForCommit(sha)).toBeUndefined();
    const lookup = server.requests.filter((r) => r.path.includes(sha)).at(-1)!;
    expect(lookup.path).toBe(
      platform === 'gitlab' ? `/projects/42/repository/commits/${sha}/merge_requests` : `/repos/acme/infra/commits/${sha}/pulls`,
    );
  });

  it('finds the merged merge request whose merge commit it is, among the others', async () => {
    const sha = fakeSha(`${platform} merge commit`);
    const [, , landed] = containing(
      sha,
      { state: 'open', headSha: sha },
      { state: 'merged', targetBranch: 'release', mergeCommitSha: sha },
      { state: 'merged', title: 'Add bucket', sourceBranch: 'add-bucket', mergeCommitSha: sha, author: 'carol' },
    );
    expect(await forge.mergeRequestForCommit(sha)).toMatchObject({
      number: landed,
      title: 'Add bucket',
      state: 'merged',
      sourceBranch: 'add-bucket',
      targetBranch: 'main',
      author: 'carol',
      mergeCommitSha: sha,
    });
  });

  it('finds a fast-forward merge by its head commit', async () => {
    const sha = fakeSha(`${platform} fast-forward`);
    const [landed] = containing(sha, { state: 'merged', headSha: sha });
    expect(await forge.mergeRequestForCommit(sha)).toMatchObject({ number: landed, headSha: sha });
  });

  it('uses the pipeline commit by default, and answers undefined for a commit pushed without a merge request', async () => {
    const pipelineSha = platform === 'gitlab' ? 'a'.repeat(40) : 'b'.repeat(40);
    const [landed] = containing(pipelineSha, { state: 'merged', mergeCommitSha: pipelineSha });
    expect(await forge.mergeRequestForCommit()).toMatchObject({ number: landed });
    expect(await forge.mergeRequestForCommit('d'.repeat(40))).toBeUndefined();
  });

  it('lists the merge request of each commit of a push, in order', async () => {
    const [first, second, direct] = [fakeSha(`${platform} push 1`), fakeSha(`${platform} push 2`), fakeSha(`${platform} push 3`)];
    const [a] = containing(first, { state: 'merged', mergeCommitSha: first });
    const [b] = containing(second, { state: 'merged', mergeCommitSha: second });
    containing(direct, { state: 'open', headSha: direct });
    const landed = await forge.landedMergeRequests([first, second, direct]);
    expect(landed.map((l) => [l.commit, l.mergeRequest?.number])).toEqual([
      [first, a],
      [second, b],
      [direct, undefined],
    ]);
  });
});

describe('the default branch a merge request must target', () => {
  it('GitLab: a squash commit lands its merge request; the default branch is CI_DEFAULT_BRANCH', async () => {
    const sha = fakeSha('squashed');
    server.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 300,
      state: 'merged',
      targetBranch: 'trunk',
      squashCommitSha: sha,
      mergeCommitSha: fakeSha('merge of squash'),
    });
    server.state.linkCommit('gitlab', testProjects.gitlab, sha, 300);
    const onMain = createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab')), testForgeOptions);
    const onTrunk = createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab', { CI_DEFAULT_BRANCH: 'trunk' })), testForgeOptions);
    expect(await onMain.mergeRequestForCommit(sha)).toBeUndefined();
    expect(await onTrunk.mergeRequestForCommit(sha)).toMatchObject({ number: 300, squashCommitSha: sha });
  });

  it('GitHub without an event payload asks the repository for its default branch', async () => {
    const repo = 'acme/trunk-based';
    server.state.project('github', repo).defaultBranch = 'trunk';
    const sha = fakeSha('trunk merge');
    server.state.addMergeRequest('github', repo, { number: 1, state: 'merged', targetBranch: 'main', mergeCommitSha: sha });
    server.state.addMergeRequest('github', repo, { number: 2, state: 'merged', targetBranch: 'trunk', mergeCommitSha: sha });
    server.state.linkCommit('github', repo, sha, 1);
    server.state.linkCommit('github', repo, sha, 2);
    const forge = createForge(forgeSettingsFromEnv(ciEnv(server, 'github', { GITHUB_REPOSITORY: repo })), testForgeOptions);
    expect(await forge.mergeRequestForCommit(sha)).toMatchObject({ number: 2, targetBranch: 'trunk' });
    expect(server.requests.some((r) => r.method === 'GET' && r.path === `/repos/${repo}`)).toBe(true);
  });
});
