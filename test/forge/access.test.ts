import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../src/errors/exit-codes.js';
import { githubMissing, gitlabMissing } from '../../src/forge/access.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { ForgeJob, ForgePlatform } from '../../src/forge/forge.js';
import { ciEnv, type ForgeServer, startForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';

// A fresh server per test: roles and tokens set by one test never reach another.
let server: ForgeServer;
beforeEach(async () => {
  server = await startForgeServer();
});
afterEach(async () => {
  await server.close();
});

const forgeWith = (platform: ForgePlatform, token: string) => {
  const variable = platform === 'gitlab' ? 'GITOPS_GITLAB_TOKEN' : 'GITHUB_TOKEN';
  return createForge(forgeSettingsFromEnv(ciEnv(server, platform, { [variable]: token })), testForgeOptions);
};

describe('pure: what each job lacks', () => {
  it('GitLab: the deploy job needs Maintainer, preview and drift Reporter, all the api scope', () => {
    expect(gitlabMissing('preview', 20, ['api'])).toEqual([]);
    expect(gitlabMissing('drift', 20, ['api'])).toEqual([]);
    expect(gitlabMissing('deploy', 30, ['api'])).toEqual([expect.stringMatching(/role Maintainer .*user has Developer/)]);
    expect(gitlabMissing('preview', 20, ['read_api'])).toEqual([expect.stringContaining('scope api')]);
    expect(gitlabMissing('preview', undefined, undefined)).toEqual([expect.stringContaining('has no role')]);
  });

  it('GitHub: each job its own permissions', () => {
    const all = { contents: 'read', 'pull-requests': 'write', issues: 'write', statuses: 'write' } as const;
    expect(githubMissing('deploy', all)).toEqual([]);
    expect(githubMissing('deploy', { ...all, statuses: 'read' })).toEqual(['statuses: write (the token has read)']);
    expect(githubMissing('drift', { contents: 'read' })).toEqual(['issues: write (the token has none)']);
  });
});

describe('GitLab: the role checked at start', () => {
  const check = (level: number, job: ForgeJob, scopes?: string[]) => {
    server.state.addToken('gitlab', `glpat-${level}-${job}`, { username: `bot-${level}`, accessLevel: level, scopes });
    return forgeWith('gitlab', `glpat-${level}-${job}`).checkAccess(job);
  };

  it('a Reporter token runs preview and drift, and is refused for deploy at start, naming Maintainer (exit 2)', async () => {
    expect(await check(20, 'preview')).toEqual([]);
    expect(await check(20, 'drift')).toEqual([]);
    const refused = await check(20, 'deploy').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'FORGE_ACCESS', message: expect.stringContaining('the role Maintainer on the project') });
    expect(exitCodeFor(refused)).toBe(ExitCode.Usage);
  });

  it('a Developer token is refused for deploy too: it cannot read whether approvals reset on push', async () => {
    await expect(check(30, 'deploy')).rejects.toMatchObject({ code: 'FORGE_ACCESS', message: expect.stringContaining('Developer') });
  });

  it('a Maintainer token deploys; on GitLab Free the job says at start that approvals cannot be tied to the commit', async () => {
    expect(await check(40, 'deploy')).toEqual([]);
    server.state.project('gitlab', testProjects.gitlab).tier = 'free';
    expect(await forgeWith('gitlab', 'glpat-40-deploy').checkAccess('deploy')).toEqual([expect.stringContaining('GitLab Free')]);
  });

  it('a read_api token is refused for every job, naming the scope', async () => {
    await expect(check(40, 'drift', ['read_api'])).rejects.toMatchObject({ message: expect.stringContaining("token's scope api") });
  });

  it('a non-member token is refused', async () => {
    server.state.addToken('gitlab', 'glpat-stranger', { username: 'stranger', accessLevel: 0 });
    await expect(forgeWith('gitlab', 'glpat-stranger').checkAccess('preview')).rejects.toMatchObject({ code: 'FORGE_ACCESS' });
  });
});

describe('GitLab: the server enforces the roles the docs give', () => {
  it('a Reporter token cannot set a commit status (Developer) nor read the approval settings (Maintainer)', async () => {
    server.state.addToken('gitlab', 'glpat-reporter', { username: 'reporter-bot', accessLevel: 20 });
    const forge = forgeWith('gitlab', 'glpat-reporter');
    await expect(forge.setCommitStatus('c'.repeat(40), { name: 'gitops/x', state: 'success', description: 'ok' })).rejects.toMatchObject({
      code: 'FORGE_ERROR',
      message: expect.stringContaining('HTTP 403'),
    });
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 7, approvedBy: ['alice'], approvalsRequired: 1 });
    server.state.addMember(testProjects.gitlab, 'alice', 30);
    // The approvals read as unverifiable: this is what the start-of-job check exists to catch.
    expect(await forge.mergeRequestApprovals(7)).toMatchObject({ approved: false, unverifiable: expect.any(String) });
    const approvalsCall = server.requests.find((r) => r.path === `/projects/${testProjects.gitlab}/approvals`);
    expect(approvalsCall?.status).toBe(403);
  });

  it('a read_api token cannot write a note', async () => {
    server.state.addToken('gitlab', 'glpat-read', { username: 'reader-bot', accessLevel: 40, scopes: ['read_api'] });
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 8 });
    await expect(forgeWith('gitlab', 'glpat-read').upsertMergeRequestComment('preview', 'hi', 8)).rejects.toMatchObject({
      message: expect.stringContaining('HTTP 403'),
    });
  });

  it('a push resets approvals on Premium with "reset approvals on push", and the approval no longer counts', async () => {
    server.state.addMember(testProjects.gitlab, 'alice', 30);
    server.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 9, approvedBy: ['alice'], approvalsRequired: 1 });
    const forge = forgeWith('gitlab', server.state.tokens.gitlab);
    expect(await forge.mergeRequestApprovals(9)).toMatchObject({ approved: true, approvers: ['alice'] });
    server.state.push('gitlab', testProjects.gitlab, 9, 'd'.repeat(40));
    expect(await forge.mergeRequestApprovals(9)).toMatchObject({ approved: false, approvers: [] });
  });
});

describe('GitHub: permissions checked at start', () => {
  const app = (token: string, permissions: Record<string, 'read' | 'write'>) => {
    server.state.addToken('github', token, { username: 'github-actions[bot]', installation: true, permissions });
    return forgeWith('github', token);
  };

  it("the templates' GITHUB_TOKEN passes each job, saying that write access cannot be read", async () => {
    const forge = forgeWith('github', server.state.tokens.github);
    for (const job of ['preview', 'deploy', 'drift'] as const)
      expect(await forge.checkAccess(job)).toEqual([expect.stringContaining('write permissions cannot be read')]);
  });

  it('a token without statuses is refused for deploy, naming statuses: write (exit 2)', async () => {
    const forge = app('ghs_no_statuses', { contents: 'read', 'pull-requests': 'write', issues: 'write' });
    const refused = await forge.checkAccess('deploy').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'FORGE_ACCESS', message: expect.stringContaining('statuses: write (the token has none)') });
    expect(exitCodeFor(refused)).toBe(ExitCode.Usage);
    expect(await forge.checkAccess('preview')).toHaveLength(1);
  });

  it('a token without issues is refused for drift', async () => {
    await expect(app('ghs_no_issues', { contents: 'read', 'pull-requests': 'write' }).checkAccess('drift')).rejects.toMatchObject({
      message: expect.stringContaining('issues: write'),
    });
  });

  it('a user token with the read role is refused for preview: it cannot be trusted to write the comment', async () => {
    server.state.addToken('github', 'ghp_reader', { username: 'reader', role: 'read' });
    await expect(forgeWith('github', 'ghp_reader').checkAccess('preview')).rejects.toMatchObject({
      message: expect.stringContaining('pull-requests: write (the token has read)'),
    });
    server.state.addToken('github', 'ghp_writer', { username: 'writer', role: 'write' });
    expect(await forgeWith('github', 'ghp_writer').checkAccess('deploy')).toEqual([]);
  });

  it('the server refuses a write the token lacks, and the error names the permission GitHub asks for', async () => {
    const forge = app('ghs_read_only', { contents: 'read', 'pull-requests': 'read' });
    server.state.addMergeRequest('github', testProjects.github, { number: 3 });
    await expect(forge.upsertMergeRequestComment('preview', 'hi', 3)).rejects.toMatchObject({
      message: expect.stringContaining('HTTP 403'),
      hint: expect.stringContaining('issues=write; pull_requests=write'),
    });
    await expect(forge.setCommitStatus('e'.repeat(40), { name: 'gitops/x', state: 'success', description: 'ok' })).rejects.toMatchObject({
      hint: expect.stringContaining('statuses=write'),
    });
  });
});

describe('few API calls', () => {
  it.each(['gitlab', 'github'] as const)(
    '%s: drift issues of 30 stacks cost one listing, filtered by our own user on the server',
    async (platform) => {
      const { notifyDrift } = await import('../../src/drift/notify.js');
      const project = server.state.project(platform, testProjects[platform]);
      for (let i = 0; i < 250; i++)
        project.issues.push({
          number: 900 + i,
          title: 'x',
          body: 'x',
          author: 'someone',
          labels: [],
          state: 'open',
          comments: [],
          createdAt: '2023-01-01T00:00:00.000Z',
        });
      const forge = forgeWith(platform, server.state.tokens[platform]);
      const reports = Array.from({ length: 30 }, (_, i) => ({
        name: `s${i}`,
        status: 'succeeded' as const,
        policy: 'detect' as const,
        drifted: [],
        deleted: [],
        managedElsewhere: [],
        unchanged: 1,
        action: i < 3 ? ('reported' as const) : ('none' as const),
        durationMs: 1,
      }));
      await notifyDrift(reports, forge, (t) => t, { time: new Date(0) });
      const listings = server.requests.filter((r) => r.method === 'GET' && /\/issues$/.test(r.path));
      expect(listings).toHaveLength(1);
      expect(listings[0]!.query).toMatchObject(
        platform === 'github' ? { creator: 'github-actions[bot]' } : { author_id: String(server.state.user('gitlab', 'gitops-bot').id) },
      );
      expect(project.issues.filter((i) => i.author !== 'someone')).toHaveLength(3);
    },
  );
});
