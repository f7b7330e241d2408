import { afterEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import type { RunRequest } from '../../src/engine/engine.js';
import type { PropertyChange, ResourceChange } from '../../src/engine/result.js';
import { driftMarkdown } from '../../src/report/drift-markdown.js';
import { driftJson, driftSummary } from '../../src/report/drift-report.js';
import { testContext } from '../helpers/action-context.js';
import type { FakeEngine } from '../helpers/fake-engine.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles } from '../helpers/stack-files.js';

const prop = (path: string, old: string, live: string, managers: string[]): PropertyChange => ({
  path,
  kind: 'update',
  old,
  new: live,
  managers,
});
const deployment = (...properties: PropertyChange[]): ResourceChange => ({
  urn: 'urn:pulumi:s::app::kubernetes:apps/v1:Deployment::deployment',
  type: 'kubernetes:apps/v1:Deployment',
  name: 'deployment',
  op: 'update',
  changedProperties: ['spec'],
  properties,
});
const replicas = prop('spec.replicas', '2', '5', ['hpa-controller']);
const image = prop('spec.template.spec.containers[0].image', 'nginx:1.27', 'nginx:hacked', ['kubectl-set']);

const stack = (drift: string) => `program: app\ndrift:\n  policy: remediate\n${drift}`;
const withHpa = stack('  ignoreManagers: [hpa-controller]\n');

let repo: GitRepo;
afterEach(async () => repo?.dispose());

async function runDrift(text: string, script: (engine: FakeEngine) => void) {
  repo = await createGitRepo(repoFiles({ web: text }));
  const t = await testContext(repo.dir);
  t.engine.lastDeployed.set('web', (await repo.sha()).slice(0, 12));
  script(t.engine);
  const request = { selection: { all: true }, allowDestroy: false, notify: false };
  const run = await drift(t.ctx, planDrift(t.ctx.catalog, request), request);
  return { ...t, run, report: run.reports[0]! };
}

describe('drift: fields managed elsewhere (drift.ignoreManagers / ignorePaths)', () => {
  it('a field only an ignored manager changed is reported as managed elsewhere: no drift, no remediation', async () => {
    const { report, engine, run } = await runDrift(withHpa, (e) =>
      e.script('web', 'refresh-preview', { resources: [deployment(replicas)], changes: { update: 1, same: 3 } }),
    );
    expect(report).toMatchObject({ action: 'none', drifted: [] });
    expect(report.managedElsewhere[0]!.properties).toEqual([
      expect.objectContaining({ path: 'spec.replicas', managedElsewhere: 'manager hpa-controller' }),
    ]);
    expect(engine.log).toEqual(['web:refresh-preview']);
    expect(driftSummary(run.reports)).toContain('web: no drift: 0 drifted, 0 deleted, 3 unchanged, 1 managed elsewhere');
    expect(driftSummary(run.reports)).toContain(
      ['spec.replicas: managed elsewhere (by hpa-controller)', '  --- Git', '  +++ live', '  @@ -1,1 +1,1 @@', '  -2', '  +5']
        .map((l) => `        ${l}`)
        .join('\n'),
    );
    const json = JSON.parse(driftJson(run.reports)).stacks[0];
    expect(json.managedElsewhere[0].properties[0]).toEqual({
      path: 'spec.replicas',
      kind: 'update',
      old: '2',
      new: '5',
      managers: ['hpa-controller'],
      managedElsewhere: 'manager hpa-controller',
    });
    const md = driftMarkdown({ reports: run.reports, time: run.time, limit: 65_536 });
    expect(md).toContain('0 of 1 stack with drift');
    expect(md).toContain('**Managed elsewhere**');
    expect(md).toContain('by hpa-controller');
  });

  it('without the rule the same change is drift, naming who made it, and remediation reports whom it overrode', async () => {
    const { report, engine, run } = await runDrift(stack(''), (e) =>
      e
        .script('web', 'refresh-preview', { resources: [deployment(replicas)] })
        .script('web', 'remediate-preview', { resources: [deployment(prop('spec.replicas', '5', '2', []))] }),
    );
    expect(report).toMatchObject({ action: 'remediated', managedElsewhere: [] });
    expect(engine.calls.find((c) => c.operation === 'up')).toBeDefined();
    expect(driftSummary(run.reports)).toContain('        spec.replicas: changed by hpa-controller\n          --- Git\n');
    expect(driftSummary(run.reports)).toContain('overrode hpa-controller on deployment spec.replicas');
    expect(JSON.parse(driftJson(run.reports)).stacks[0].remediation.overrode).toEqual([
      { resource: 'deployment', path: 'spec.replicas', managers: ['hpa-controller'] },
    ]);
    expect(driftMarkdown({ reports: run.reports, time: run.time, limit: 65_536 })).toContain(
      '`spec.replicas`, changed by `hpa-controller`',
    );
  });

  it('remediating other drift passes ignoreChanges for the managed fields to the preview and the up', async () => {
    const requests: RunRequest[] = [];
    const record = (result: object) => (r: RunRequest) => {
      requests.push(r);
      return result;
    };
    const { report } = await runDrift(stack('  ignoreManagers: [hpa-controller]\n  ignorePaths: ["v1/ConfigMap:data.LEVEL"]\n'), (e) =>
      e
        .script('web', 'refresh-preview', { resources: [deployment(replicas, image)] })
        .script(
          'web',
          'remediate-preview',
          record({ resources: [deployment(prop('spec.template.spec.containers[0].image', 'nginx:hacked', 'nginx:1.27', []))] }),
        )
        .script('web', 'up', record({})),
    );
    expect(report.action).toBe('remediated');
    expect(report.drifted[0]!.properties.map((p) => p.path)).toEqual(['spec.template.spec.containers[0].image']);
    const expected = [
      { type: 'kubernetes:apps/v1:Deployment', name: 'deployment', paths: ['spec.replicas'], reason: 'manager hpa-controller' },
      { type: 'v1/ConfigMap', paths: ['data.LEVEL'], reason: 'path v1/ConfigMap:data.LEVEL' },
    ];
    expect(requests.map((r) => [r.operation, r.ignoreChanges])).toEqual([
      ['remediate-preview', expected],
      ['up', expected],
    ]);
  });

  it('blocks remediation that would still revert a managed field (fail closed if ignoreChanges did not take)', async () => {
    const { report, engine } = await runDrift(withHpa, (e) =>
      e
        .script('web', 'refresh-preview', { resources: [deployment(replicas, image)] })
        .script('web', 'remediate-preview', { resources: [deployment(prop('spec.replicas', '5', '2', []))] }),
    );
    expect(report).toMatchObject({
      action: 'blocked',
      blockedReason: 'would revert deployment spec.replicas, which is managed elsewhere (manager hpa-controller)',
    });
    expect(engine.log).not.toContain('web:up');
  });
  it('an ignore rule merged but not deployed hides nothing: the field is drift until deploy applies the rule', async () => {
    // Deployed without the rule; a merged MR then adds it, and its deploy has not run (refused, say).
    repo = await createGitRepo(repoFiles({ web: stack('') }));
    const deployed = await repo.sha();
    await repo.write({ 'stacks/web.yaml': withHpa });
    await repo.commit('ignore the autoscaler');
    const t = await testContext(repo.dir);
    t.engine.lastDeployed.set('web', deployed);
    t.engine.script('web', 'refresh-preview', { resources: [deployment(replicas)] });
    const request = { selection: { all: true }, allowDestroy: false, notify: false };
    const report = (await drift(t.ctx, planDrift(t.ctx.catalog, request), request)).reports[0]!;
    expect(report).toMatchObject({ action: 'blocked', managedElsewhere: [] });
    expect(report.drifted[0]!.properties).toEqual([expect.objectContaining({ path: 'spec.replicas', managers: ['hpa-controller'] })]);
    expect(report.blockedReason).toMatch(/^undeployed change waiting for deploy: stack file stacks\/web.yaml changed/);
    // The deploy record is read once for the run: both guard checks and the pending-operations check share it.
    expect(t.engine.historyReads).toEqual(['web']);
    expect(t.engine.log).toEqual(['web:refresh-preview']);
  });

  it('once deployed, the same rule is in force', async () => {
    repo = await createGitRepo(repoFiles({ web: stack('') }));
    await repo.write({ 'stacks/web.yaml': withHpa });
    const deployed = await repo.commit('ignore the autoscaler');
    const t = await testContext(repo.dir);
    t.engine.lastDeployed.set('web', deployed);
    t.engine.script('web', 'refresh-preview', { resources: [deployment(replicas)] });
    const request = { selection: { all: true }, allowDestroy: false, notify: false };
    const report = (await drift(t.ctx, planDrift(t.ctx.catalog, request), request)).reports[0]!;
    expect(report).toMatchObject({ action: 'none', drifted: [] });
    expect(report.managedElsewhere).toHaveLength(1);
  });
});
