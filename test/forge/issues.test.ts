import { beforeEach, describe, expect, it } from 'vitest';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge, ForgePlatform } from '../../src/forge/forge.js';
import { markerFor } from '../../src/forge/markers.js';
import { ciEnv, type FakeIssue, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
});

describe.each(['gitlab', 'github'] as const)('%s drift issue', (platform: ForgePlatform) => {
  let forge: Forge;
  const project = () => server.state.project(platform, testProjects[platform]);
  const driftIssues = (stack: string): FakeIssue[] => project().issues.filter((i) => i.body.startsWith(markerFor(`drift:${stack}`)));
  const writes = () => server.requests.filter((r) => r.platform === platform && r.method !== 'GET');

  beforeEach(() => {
    forge = createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);
    // 120 unrelated open issues come first, so ours are found beyond page 1. Our own user opened
    // them (other people's issues are filtered out by the GitLab query), so GitLab pages too.
    const self = platform === 'gitlab' ? 'gitops-bot' : 'github-actions[bot]';
    for (let i = 0; i < 120; i++)
      project().issues.push({
        number: 1000 + i,
        title: `bug ${i}`,
        body: 'broken',
        author: self,
        labels: [],
        state: 'open',
        comments: [],
        createdAt: '2023-01-01T00:00:00.000Z',
      });
  });

  it('opens the issue when drift first appears, then updates it, then closes it when drift clears', async () => {
    const opened = await forge.upsertIssue('drift:prod', { title: 'Drift in prod', body: '2 resources drifted', labels: ['gitops-drift'] });
    expect(opened.action).toBe('opened');
    expect(driftIssues('prod')).toEqual([
      expect.objectContaining({ number: opened.number, title: 'Drift in prod', labels: ['gitops-drift'], state: 'open' }),
    ]);
    expect(opened.url).toContain(String(opened.number));
    const listings = server.requests.filter((r) => r.platform === platform && r.method === 'GET' && /\/issues$/.test(r.path));
    expect(listings.map((r) => [r.query.state, r.query.page ?? '1'])).toEqual([
      [platform === 'gitlab' ? 'opened' : 'open', '1'],
      [platform === 'gitlab' ? 'opened' : 'open', '2'],
    ]);

    const writesBefore = writes().length;
    expect(
      await forge.upsertIssue('drift:prod', { title: 'Drift in prod', body: '2 resources drifted', labels: ['gitops-drift'] }),
    ).toEqual({ ...opened, action: 'unchanged' });
    expect(writes()).toHaveLength(writesBefore);

    // A person triages it in between: their label stays.
    driftIssues('prod')[0]!.labels.push('triaged');
    const updated = await forge.upsertIssue('drift:prod', {
      title: 'Drift in prod',
      body: '3 resources drifted',
      labels: ['gitops-drift'],
    });
    expect(updated).toEqual({ ...opened, action: 'updated' });
    expect(driftIssues('prod')).toHaveLength(1);
    expect(driftIssues('prod')[0]).toMatchObject({
      body: `${markerFor('drift:prod')}\n3 resources drifted`,
      labels: ['gitops-drift', 'triaged'],
      state: 'open',
    });

    const closed = await forge.closeIssue('drift:prod', 'Drift cleared in pipeline 99.');
    expect(closed).toEqual({ number: opened.number, url: opened.url });
    expect(driftIssues('prod')[0]).toMatchObject({ state: 'closed' });
    expect(driftIssues('prod')[0]!.comments.map((c) => c.body)).toEqual(['Drift cleared in pipeline 99.']);
    expect(await forge.closeIssue('drift:prod', 'again')).toBeUndefined();

    // Drift comes back: a new issue, the closed one stays closed.
    const reopened = await forge.upsertIssue('drift:prod', { title: 'Drift in prod', body: 'drifted again' });
    expect(reopened.action).toBe('opened');
    expect(reopened.number).not.toBe(opened.number);
    expect(driftIssues('prod').map((i) => i.state)).toEqual(['closed', 'open']);
  });

  it('keeps one issue per stack', async () => {
    await forge.upsertIssue('drift:dev', { title: 'Drift in dev', body: 'dev drifted' });
    await forge.upsertIssue('drift:staging', { title: 'Drift in staging', body: 'staging drifted' });
    expect(await forge.closeIssue('drift:dev')).toBeDefined();
    expect(driftIssues('dev').map((i) => i.state)).toEqual(['closed']);
    expect(driftIssues('dev')[0]!.comments).toEqual([]);
    expect(driftIssues('staging').map((i) => i.state)).toEqual(['open']);
  });

  it('is not fooled by a merge request whose description carries the marker', async () => {
    // GitHub lists pull requests among issues; a PR that pastes the marker is not the issue.
    server.state.addMergeRequest(platform, testProjects[platform], {
      number: 5000,
      body: `${markerFor('drift:qa')}\ncopied from the issue`,
    });
    expect((await forge.upsertIssue('drift:qa', { title: 'Drift in qa', body: 'qa drifted' })).action).toBe('opened');
    expect(driftIssues('qa')).toHaveLength(1);
  });
});
