import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { operate, planOperate } from '../../src/actions/operate.js';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import { planSavingEngine } from '../../src/update-plans/plan-engines.js';
import type { PlanRecord } from '../../src/update-plans/plan-record.js';
import { PlanStore } from '../../src/update-plans/plan-store.js';
import { savingPlans } from '../../src/update-plans/save-plans.js';
import { testContext } from '../helpers/action-context.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
let dir: string;
afterEach(async () => {
  await repo?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const page = {
  urn: 'urn:pulumi:app::app::test:Page::page',
  type: 'test:Page',
  name: 'page',
  changedProperties: ['content'],
  properties: [],
};

/** network <- app, and db <- web: two chains. */
async function platform() {
  repo = await createGitRepo(
    repoFiles({
      network: stackFile({}),
      app: stackFile({ dependsOn: ['network'] }),
      db: stackFile({}),
      web: stackFile({ dependsOn: ['db'] }),
      edge: stackFile({ policy: 'remediate' }),
    }),
  );
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-plans-'));
  return testContext(repo.dir);
}

/** A stored approved preview of `stack` at the repository's HEAD, as `preview --save-plans` writes it. */
async function stored(stack: string, fields: Partial<PlanRecord> = {}): Promise<void> {
  const commit = await repo.sha();
  const tree = (await repo.git('rev-parse', 'HEAD^{tree}')).trim();
  await writeFile(path.join(dir, `${stack}.plan.json`), '{}\n');
  const record: PlanRecord = {
    format: 1,
    stack,
    project: 'app',
    pulumiStack: stack,
    operation: 'up',
    commit,
    tree,
    state: FakeEngine.state,
    planFile: `${stack}.plan.json`,
    resources: [],
    previewedAt: '2026-11-27T12:00:00.000Z',
    ...fields,
  };
  await writeFile(path.join(dir, `${stack}.json`), JSON.stringify(record));
}

describe('deploy --plans', () => {
  it('GIVEN stored plans WHEN deploying THEN each up obeys its plan and the state it was made against', async () => {
    const { ctx, engine } = await platform();
    for (const s of ['network', 'app']) await stored(s);
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['network', 'app'] } });
    const results = await operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: dir });
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['network', 'succeeded'],
      ['app', 'succeeded'],
    ]);
    expect(engine.calls.find((c) => c.stack === 'app')!.plan).toEqual({
      file: path.join(dir, 'app.plan.json'),
      expectState: FakeEngine.state,
    });
  });

  it('GIVEN a stack without a stored plan WHEN deploying THEN it is refused as stale with a fresh preview, and its dependents skipped', async () => {
    const { ctx, engine } = await platform();
    await stored('network');
    engine.script('db', 'preview', { changes: { update: 1 }, resources: [{ ...page, op: 'update' }] });
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { all: true } });
    const results = await operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: dir });
    const db = results.find((r) => r.name === 'db')!;
    expect(db).toMatchObject({
      status: 'failed',
      error: { code: 'PREVIEW_STALE' },
      freshPreview: { operation: 'preview', changes: { update: 1 } },
    });
    expect(db.error!.message).toBe(
      'stack db: the approved preview is stale: no approved preview was stored for it (the merge request preview did not plan this stack)\n' +
        '  a fresh preview shows 1 update\n' +
        '  (merge a fresh preview: push again, review it, then deploy)',
    );
    expect(results.find((r) => r.name === 'web')).toMatchObject({ status: 'skipped', skipReason: 'depends on db, which failed' });
    expect(results.find((r) => r.name === 'network')!.status).toBe('succeeded');
    // The refused stack was only previewed: no up ran for it or its dependent.
    expect(engine.log.filter((c) => c.startsWith('db:') || c.startsWith('web:'))).toEqual(['db:preview']);
  });

  it('GIVEN a plan of another tree WHEN deploying THEN it is refused and the fresh preview is compared with the approved one', async () => {
    const { ctx, engine } = await platform();
    await stored('db', { tree: 'f'.repeat(40), resources: [{ urn: page.urn, op: 'update', changedProperties: ['content'] }] });
    engine.script('db', 'preview', { changes: { replace: 1 }, resources: [{ ...page, op: 'replace', changedProperties: ['path'] }] });
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['db'] } });
    const [db] = await operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: dir });
    expect(db!.error!.message).toContain('is not the previewed tree (ffffffffffff');
    expect(db!.error!.message).toContain(
      'a fresh preview shows 1 replace; differs from the approved preview: page: update (content) -> replace (path)',
    );
  });

  it('GIVEN Pulumi rejects the plan (the state moved) WHEN deploying THEN the stack is refused as stale with what the up did', async () => {
    const { ctx, engine } = await platform();
    await stored('db');
    engine.script('db', 'up', {
      status: 'failed',
      error: { code: 'PREVIEW_STALE', message: "stack db: the approved preview is stale: the stack's state moved since the preview" },
    });
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['db', 'web'] } });
    const results = await operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: dir });
    expect(results[0]).toMatchObject({
      name: 'db',
      status: 'failed',
      error: { code: 'PREVIEW_STALE' },
      freshPreview: { status: 'succeeded' },
    });
    expect(results[0]!.error!.message).toMatch(
      /^stack db: the approved preview is stale: the stack's state moved since the preview\n {2}a fresh preview shows no changes/,
    );
    expect(results[1]).toMatchObject({ name: 'web', status: 'skipped' });
    expect(engine.log).toEqual(['db:up', 'db:preview']);
  });

  it('refuses a missing folder and a record that does not parse, naming it (exit 2)', async () => {
    const { ctx } = await platform();
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['db'] } });
    await expect(operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: path.join(dir, 'nope') })).rejects.toMatchObject({
      code: 'USAGE',
      message: `--plans ${path.join(dir, 'nope')}: no such folder`,
    });
    await writeFile(path.join(dir, 'db.json'), '{"format": 1, "stack": "db"}');
    const [db] = await operate(ctx, plan, { message: 'msg', commit: await repo.sha(), plans: dir }).catch((err) => [err]);
    expect(db).toMatchObject({
      code: 'USAGE',
      message: expect.stringContaining(`${path.join(dir, 'db.json')}: not a plan record: project:`),
    });
  });
});

describe('preview --save-plans', () => {
  it('refuses a checkout that is not exactly the previewed commit (exit 2)', async () => {
    const { ctx, engine } = await platform();
    await repo.commit('a second commit');
    await expect(planSavingEngine(ctx, engine, path.join(dir, 'out'), 'HEAD~1')).rejects.toMatchObject({
      code: 'USAGE',
      message: expect.stringMatching(/^--save-plans: --head HEAD~1 \([0-9a-f]{12}\) is not the checked-out commit/),
    });
    await repo.write({ 'stacks/db.yaml': stackFile({ policy: 'detect' }) });
    await expect(planSavingEngine(ctx, engine, path.join(dir, 'out'))).rejects.toMatchObject({
      code: 'USAGE',
      message: '--save-plans: the working tree has uncommitted changes to tracked files (stacks/db.yaml)',
    });
  });

  it('refuses untracked stack files and programs the preview would read: the saved plan would name a tree without them', async () => {
    const { ctx, engine } = await platform();
    await repo.write({ 'stacks/extra.yaml': stackFile({}), 'programs/new/index.ts': 'export default async () => ({});\n' });
    await expect(planSavingEngine(ctx, engine, path.join(dir, 'out'))).rejects.toMatchObject({
      code: 'USAGE',
      message: '--save-plans: the working tree has untracked files a preview would read (programs/new/index.ts, stacks/extra.yaml)',
    });
  });

  it('records each previewed stack: its plan, commit, tree and state; or why it has none', async () => {
    const { ctx, engine } = await platform();
    const planFile = path.join(dir, 'made-by-pulumi.json');
    engine.script('app', 'preview', async () => {
      await writeFile(planFile, '{"resourcePlans":{}}\n');
      return { resources: [{ ...page, op: 'update' }], planned: { file: planFile, state: FakeEngine.state, encryptionSalt: 'v1:salt' } };
    });
    engine.script('db', 'preview', {
      status: 'skipped',
      skipReason: "no access to this stack's secrets",
      benign: true,
      planned: undefined,
    });
    const out = path.join(dir, 'out');
    const saving = savingPlans(engine, PlanStore.at(out, 'save-plans', true), {
      commit: await repo.sha(),
      tree: (await repo.git('rev-parse', 'HEAD^{tree}')).trim(),
      clock: ctx.clock,
    });
    for (const name of ['app', 'db']) await saving.run({ stack: ctx.catalog.byName.get(name)!, operation: 'preview' }, ctx.sink);
    expect(engine.calls.map((c) => c.plan)).toEqual([{}, {}]);
    const app = JSON.parse(await readFile(path.join(out, 'app.json'), 'utf8'));
    expect(app).toMatchObject({
      stack: 'app',
      operation: 'up',
      commit: await repo.sha(),
      state: FakeEngine.state,
      planFile: 'app.plan.json',
      encryptionSalt: 'v1:salt',
      resources: [{ urn: page.urn, op: 'update', changedProperties: ['content'] }],
      previewedAt: '2026-11-27T12:00:00.000Z',
    });
    expect(await readFile(path.join(out, 'app.plan.json'), 'utf8')).toBe('{"resourcePlans":{}}\n');
    const db = JSON.parse(await readFile(path.join(out, 'db.json'), 'utf8'));
    expect(db).toMatchObject({ stack: 'db', unplanned: "its preview was skipped: no access to this stack's secrets" });
    expect(db.planFile).toBeUndefined();
    // What was written is what deploy reads back.
    expect(await PlanStore.at(out, 'plans').load('app')).toEqual(app);
  });
});

describe('drift remediation bound to its guard', () => {
  const drifted = { ...page, op: 'update', properties: [{ path: 'content', kind: 'update', old: 'a', new: 'b' }] };
  // The guard's preview puts the drifted field back: live "b" to the deployed "a".
  const putBack = { ...drifted, properties: [{ path: 'content', kind: 'update', old: 'b', new: 'a' }] };

  it('refreshes only if the state is still the one the guard previewed, and runs the up under its plan', async () => {
    const { ctx, engine } = await platform();
    engine.script('edge', 'refresh-preview', { resources: [drifted] });
    engine.lastDeployed.set('edge', await repo.sha());
    engine.script('edge', 'remediate-preview', { resources: [putBack] });
    const request = { selection: { names: ['edge'] }, remediate: true, allowDestroy: false, notify: false };
    const { reports } = await drift(ctx, planDrift(ctx.catalog, request), request);
    expect(reports[0]).toMatchObject({ action: 'remediated' });
    expect(engine.calls.filter((c) => c.stack === 'edge').map((c) => [c.operation, c.plan])).toEqual([
      ['refresh-preview', undefined],
      ['remediate-preview', {}],
      ['refresh', { expectState: FakeEngine.state }],
      ['up', { file: 'plans/edge.remediate-preview.json' }],
    ]);
  });

  it('reports a constrained up that Pulumi stopped as a failed remediation with the reason, never as remediated', async () => {
    const { ctx, engine } = await platform();
    engine.script('edge', 'refresh-preview', { resources: [drifted] });
    engine.lastDeployed.set('edge', await repo.sha());
    engine.script('edge', 'up', {
      status: 'failed',
      error: {
        code: 'PREVIEW_STALE',
        message: 'stack edge: the approved preview is stale: the update departed from its plan at resource page',
      },
    });
    const request = { selection: { names: ['edge'] }, remediate: true, allowDestroy: false, notify: false };
    const { reports } = await drift(ctx, planDrift(ctx.catalog, request), request);
    expect(reports[0]).toMatchObject({ status: 'failed', action: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(reports[0]!.error!.message).toBe(
      'remediation refused, the stack changed after the guard checked its preview: ' +
        'stack edge: the approved preview is stale: the update departed from its plan at resource page',
    );
  });

  it("does not remediate when the guard's preview saved no plan (fail closed)", async () => {
    const { ctx, engine } = await platform();
    engine.script('edge', 'refresh-preview', { resources: [drifted] });
    engine.lastDeployed.set('edge', await repo.sha());
    engine.script('edge', 'remediate-preview', { resources: [putBack], planned: undefined });
    const request = { selection: { names: ['edge'] }, remediate: true, allowDestroy: false, notify: false };
    const { reports } = await drift(ctx, planDrift(ctx.catalog, request), request);
    expect(reports[0]).toMatchObject({ action: 'blocked', blockedReason: "the guard's preview saved no plan to bind remediation to" });
    expect(engine.log).not.toContain('edge:up');
  });
});
