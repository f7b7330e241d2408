import { afterEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
afterEach(async () => repo?.dispose());

const record = (pending: number) => ({
  ok: true as const,
  record: {
    exists: true,
    tags: {},
    version: 1,
    pulumiLocks: [],
    gitopsLock: false,
    unknownOutcomes: false,
    state: {
      live: 1,
      resources: 2,
      pending: Array.from({ length: pending }, (_, i) => ({
        urn: `urn:pulumi:s::app::pkg:File::f${i}`,
        type: 'pkg:File',
        operation: 'creating',
      })),
    },
  },
});

describe('drift on a stack with pending operations', () => {
  it('says so (blocked, naming the operations and recover) instead of "no drift"; other stacks are untouched', async () => {
    // GIVEN two stacks without drift, one of them with a pending create left by a killed run
    repo = await createGitRepo(repoFiles({ web: stackFile({ policy: 'detect' }), api: stackFile({ policy: 'detect' }) }));
    const t = await testContext(repo.dir);
    const head = (await repo.sha()).slice(0, 12);
    for (const name of ['web', 'api']) t.engine.lastDeployed.set(name, head);
    t.engine.records.set('web', record(1));
    t.engine.records.set('api', record(0));
    // WHEN drift runs
    const request = { selection: { all: true }, allowDestroy: false, notify: false };
    const { reports } = await drift(t.ctx, planDrift(t.ctx.catalog, request), request);
    // THEN web is blocked with the reason, api says no drift
    const web = reports.find((r) => r.name === 'web')!;
    expect(web.action).toBe('blocked');
    expect(web.blockedReason).toBe(
      '1 pending operation from an interrupted run (creating urn:pulumi:s::app::pkg:File::f0): drift cannot be known until `gitops recover --stack web` settles it',
    );
    expect(reports.find((r) => r.name === 'api')!.action).toBe('none');
  });
});
