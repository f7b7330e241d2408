import { afterEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import type { ResourceChange } from '../../src/engine/result.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

const resource = (name: string, op: string, extra: Partial<ResourceChange> = {}): ResourceChange => ({
  urn: `urn:pulumi:s::app::pkg:File::${name}`,
  type: 'pkg:File',
  name,
  op,
  changedProperties: ['content'],
  properties: [{ path: 'content', kind: 'update', old: 'git', new: 'live' }],
  ...extra,
});

const drifted = { resources: [resource('page', 'update')], changes: { update: 1, same: 2 } };

/** What the guard's preview of a remediation shows for a drifted resource: the live value put back to Git's. */
const putBack = (name: string, op: string, extra: Partial<ResourceChange> = {}): ResourceChange =>
  resource(name, op, { properties: [{ path: 'content', kind: 'update', old: 'live', new: 'git' }], ...extra });

let repo: GitRepo;
afterEach(async () => repo?.dispose());

/** GIVEN stacks with these files, WHEN drift runs with this request, THEN the reports and the engine calls. */
async function runDrift(
  stacks: Record<string, string>,
  script: (engine: import('../helpers/fake-engine.js').FakeEngine) => void,
  request: { remediate?: boolean; allowDestroy?: boolean } = {},
) {
  repo = await createGitRepo(repoFiles(stacks));
  const t = await testContext(repo.dir);
  // GIVEN the head is what gitops deploy last applied to every stack (see change-path.test.ts for when it is not).
  const head = (await repo.sha()).slice(0, 12);
  for (const name of Object.keys(stacks)) t.engine.lastDeployed.set(name, head);
  script(t.engine);
  const full = { selection: { all: true }, remediate: request.remediate, allowDestroy: request.allowDestroy ?? false, notify: false };
  const run = await drift(t.ctx, planDrift(t.ctx.catalog, full), full);
  return { ...t, reports: run.reports };
}

describe('drift action: detection', () => {
  it('reports drift under the detect policy and never starts remediation', async () => {
    const { reports, engine } = await runDrift({ web: stackFile({ policy: 'detect' }) }, (e) =>
      e.script('web', 'refresh-preview', drifted),
    );
    expect(reports[0]).toMatchObject({ name: 'web', action: 'reported', status: 'succeeded', unchanged: 2 });
    expect(reports[0]!.drifted.map((r) => r.name)).toEqual(['page']);
    expect(engine.log).toEqual(['web:refresh-preview']);
  });

  it('does not count an update whose declared properties all match (live-only fields moved)', async () => {
    const quiet = { resources: [resource('page', 'update', { changedProperties: [], properties: [] })], changes: { update: 1 } };
    const { reports, engine } = await runDrift({ web: stackFile({ policy: 'remediate' }) }, (e) =>
      e.script('web', 'refresh-preview', quiet),
    );
    expect(reports[0]).toMatchObject({ action: 'none', unchanged: 1 });
    expect(engine.log).toEqual(['web:refresh-preview']);
  });

  it('a failed check fails that stack only', async () => {
    const { reports } = await runDrift({ a: stackFile({}), b: stackFile({}) }, (e) =>
      e
        .script('a', 'refresh-preview', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'boom' } })
        .script('b', 'refresh-preview', drifted),
    );
    expect(reports.map((r) => [r.name, r.action])).toEqual([
      ['a', 'failed'],
      ['b', 'reported'],
    ]);
  });
});

describe('drift action: the remediation guard', () => {
  const remediate = { web: stackFile({ policy: 'remediate' }) };

  it('remediates a plain update: refresh, then up, with the remediation message', async () => {
    const { reports, engine } = await runDrift(remediate, (e) =>
      e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', { resources: [putBack('page', 'update')] }),
    );
    expect(reports[0]).toMatchObject({ action: 'remediated' });
    expect(engine.log).toEqual(['web:refresh-preview', 'web:remediate-preview', 'web:refresh', 'web:up']);
    expect(engine.calls.at(-1)!.message).toBe('gitops drift remediation');
  });

  it.each(['delete', 'replace'])('blocks a %s unless --allow-destroy', async (op) => {
    const preview = { resources: [putBack('page', op)] };
    const blocked = await runDrift(remediate, (e) =>
      e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', preview),
    );
    expect(blocked.reports[0]).toMatchObject({
      action: 'blocked',
      blockedReason: `would ${op} page; rerun with --allow-destroy to let it`,
    });
    expect(blocked.engine.log).toEqual(['web:refresh-preview', 'web:remediate-preview']);
    await repo.dispose();
    const allowed = await runDrift(
      remediate,
      (e) => e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', preview),
      { allowDestroy: true },
    );
    if (op === 'replace') {
      expect(allowed.reports[0]).toMatchObject({ action: 'remediated' });
      expect(allowed.engine.log).toContain('web:up');
    } else {
      // A delete is never convergence: the program no longer declares what the refresh found.
      expect(allowed.reports[0]).toMatchObject({
        action: 'blocked',
        blockedReason: expect.stringMatching(
          /^the program's inputs changed since the last deploy: deploy first \(remediation would also delete page/,
        ),
      });
      expect(allowed.engine.log).not.toContain('web:up');
    }
  });

  it('remediation converges, it never changes: a resource or a value the refresh did not find drifted blocks it', async () => {
    const extra = await runDrift(remediate, (e) =>
      e
        .script('web', 'refresh-preview', drifted)
        .script('web', 'remediate-preview', { resources: [putBack('page', 'update'), putBack('data', 'update')] }),
    );
    expect(extra.reports[0]).toMatchObject({
      action: 'blocked',
      blockedReason:
        "the program's inputs changed since the last deploy: deploy first (remediation would also update data, which the refresh did not find drifted)",
      drifted: [expect.objectContaining({ name: 'page' })],
    });
    expect(extra.engine.log).toEqual(['web:refresh-preview', 'web:remediate-preview']);
    await repo.dispose();
    // The drifted field itself, set to a value the last deploy never applied (a data file the program reads changed).
    const changedValue = {
      resources: [resource('page', 'update', { properties: [{ path: 'content', kind: 'update', old: 'live', new: 'unreviewed' }] })],
    };
    const other = await runDrift(remediate, (e) =>
      e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', changedValue),
    );
    expect(other.reports[0]).toMatchObject({ action: 'blocked', blockedReason: expect.stringContaining('update page (content)') });
    expect(other.engine.log).not.toContain('web:up');
  });

  it('a replacement that carries a masked secret over unchanged still only puts the drift back', async () => {
    const masked = { path: 'token', kind: 'update', old: '[secret]', new: '[secret]', secret: true };
    const replace = putBack('page', 'replace');
    const preview = { resources: [{ ...replace, properties: [...replace.properties, masked] }] };
    const { reports } = await runDrift(
      remediate,
      (e) => e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', preview),
      { allowDestroy: true },
    );
    expect(reports[0]).toMatchObject({ action: 'remediated' });
  });

  it('never touches a protected resource, even with --allow-destroy', async () => {
    const preview = { resources: [resource('db', 'replace', { protected: true })] };
    const { reports, engine } = await runDrift(
      remediate,
      (e) => e.script('web', 'refresh-preview', drifted).script('web', 'remediate-preview', preview),
      { allowDestroy: true },
    );
    expect(reports[0]).toMatchObject({ action: 'blocked', blockedReason: 'would replace protected resource db' });
    expect(engine.log).not.toContain('web:up');
  });

  it('holds back more changes than drift.maxChanges, and lets the limit itself through', async () => {
    const three = {
      resources: ['a', 'b', 'c'].map((n) => putBack(n, 'update')).concat(resource('stack', 'update', { type: 'pulumi:pulumi:Stack' })),
    };
    const driftedThree = { resources: ['a', 'b', 'c'].map((n) => resource(n, 'update')) };
    const over = await runDrift({ web: stackFile({ policy: 'remediate', maxChanges: 2 }) }, (e) =>
      e.script('web', 'refresh-preview', driftedThree).script('web', 'remediate-preview', three),
    );
    expect(over.reports[0]).toMatchObject({ action: 'blocked', blockedReason: 'would change 3 resources, more than drift.maxChanges (2)' });
    expect(over.engine.log).not.toContain('web:refresh');
    await repo.dispose();
    const at = await runDrift({ web: stackFile({ policy: 'remediate', maxChanges: 3 }) }, (e) =>
      e.script('web', 'refresh-preview', driftedThree).script('web', 'remediate-preview', three),
    );
    expect(at.reports[0]).toMatchObject({ action: 'remediated' });
  });

  it('--detect-only (--no-remediate) overrides a remediate policy: the drift is reported, nothing is changed', async () => {
    const { reports, engine } = await runDrift(remediate, (e) => e.script('web', 'refresh-preview', drifted), { remediate: false });
    expect(reports[0]).toMatchObject({ action: 'reported' });
    expect(engine.log).toEqual(['web:refresh-preview']);
  });

  it('--remediate overrides a detect policy; a failed up is reported as failed, not remediated', async () => {
    const { reports } = await runDrift(
      { web: stackFile({ policy: 'detect' }) },
      (e) =>
        e
          .script('web', 'refresh-preview', drifted)
          .script('web', 'up', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'denied' } }),
      { remediate: true },
    );
    expect(reports[0]).toMatchObject({ action: 'failed', error: { code: 'PROVIDER_ERROR' } });
  });
});
