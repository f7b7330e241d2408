import { describe, expect, it } from 'vitest';
import type { AffectedResult } from '../../src/affected/model.js';
import {
  type DeployedDefinition,
  policyChanges,
  protectedEnv,
  stricterDefinition,
  withDeployedDefinitions,
} from '../../src/merge-request/base-policy.js';
import type { StackCatalog } from '../../src/stacks/load.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import type { StackDefinition } from '../../src/stacks/schema.js';
import { stackFile } from '../helpers/stack-files.js';

/**
 * Where a stack's last deployed commit differs from the base, the stricter of the two definitions
 * governs its deploy (issue 9, point 1): field by field, pure.
 */
function def(fields: Parameters<typeof stackFile>[0], extra = ''): StackDefinition {
  const { definition, diagnostics } = parseStackFile('stacks/prod.yaml', 'prod', `${stackFile(fields)}${extra}`);
  expect(diagnostics).toEqual([]);
  return definition!;
}

function catalogOf(...defs: StackDefinition[]): StackCatalog {
  return { stacks: defs, byName: new Map(defs.map((d) => [d.name, d])) };
}

describe('the stricter of two definitions', () => {
  it('takes the most approvals, so a stack protected by either stays protected', () => {
    expect(stricterDefinition(def({ approvals: 0 }), def({ approvals: 2 })).approvals).toEqual({ required: 2 });
    expect(stricterDefinition(def({}), def({ approvals: 1 })).approvals).toEqual({ required: 1 });
    expect(stricterDefinition(def({ approvals: 3 }), def({})).approvals).toEqual({ required: 3 });
    expect(stricterDefinition(def({}), def({})).approvals).toBeUndefined();
  });

  it('allows destroy only when both allow it', () => {
    expect(stricterDefinition(def({ allowDestroy: true }), def({ allowDestroy: false })).allowDestroy).toBe(false);
    expect(stricterDefinition(def({ allowDestroy: false }), def({ allowDestroy: true })).allowDestroy).toBe(false);
    expect(stricterDefinition(def({ allowDestroy: true }), def({ allowDestroy: true })).allowDestroy).toBe(true);
  });

  it('detects drift when either only detects, and keeps the lower maxChanges (none means unlimited)', () => {
    expect(stricterDefinition(def({ policy: 'remediate' }), def({ policy: 'detect' })).drift).toEqual({ policy: 'detect' });
    expect(stricterDefinition(def({ policy: 'remediate', maxChanges: 5 }), def({ policy: 'remediate', maxChanges: 2 })).drift).toEqual({
      policy: 'remediate',
      maxChanges: 2,
    });
    expect(stricterDefinition(def({ policy: 'remediate' }), def({ policy: 'remediate', maxChanges: 4 })).drift).toEqual({
      policy: 'remediate',
      maxChanges: 4,
    });
    expect(stricterDefinition(def({ policy: 'remediate' }), def({ policy: 'remediate' })).drift).toEqual({ policy: 'remediate' });
  });

  it('keeps only the ignore rules both hold: an entry one side added cannot hide drift', () => {
    const ignoring = (managers: string, paths: string) =>
      parseStackFile('stacks/prod.yaml', 'prod', `program: app\ndrift:\n  ignoreManagers: [${managers}]\n  ignorePaths: [${paths}]\n`)
        .definition!;
    const strict = stricterDefinition(
      ignoring('hpa-controller, kubectl', '"apps/v1/Deployment:spec.replicas", "*:*"'),
      ignoring('hpa-controller', '"apps/v1/Deployment:spec.replicas"'),
    );
    expect(strict.drift.ignoreManagers).toEqual(['hpa-controller']);
    expect(strict.drift.ignorePaths).toEqual(['apps/v1/Deployment:spec.replicas']);
    const none = stricterDefinition(ignoring('kubectl', '"*:*"'), def({}));
    expect([none.drift.ignoreManagers, none.drift.ignorePaths]).toEqual([undefined, undefined]);
  });

  it('keeps identity, program and config from the first', () => {
    const a = def({ program: 'app' }, 'config:\n  app:size: 3\n');
    const strict = stricterDefinition(a, def({ program: 'other', approvals: 1 }, 'stack: elsewhere\n'));
    expect([strict.program, strict.stack, strict.config]).toEqual(['app', 'prod', { 'app:size': 3 }]);
  });
});

describe('base definitions with the last deployed ones', () => {
  const deployedAt = (definition: StackDefinition | undefined, problems: string[] = []): DeployedDefinition => ({
    commit: 'c0ffee0000000000000000000000000000000000',
    file: 'stacks/prod.yaml',
    definition,
    problems,
  });

  it('the stricter of base and deployed governs; a stack deployed at the base is left as it is', () => {
    const head = def({ approvals: 0, allowDestroy: true });
    const base = new Map([['prod', { file: 'stacks/prod.yaml', definition: def({ approvals: 0, allowDestroy: true }), problems: [] }]]);
    const out = withDeployedDefinitions(base, new Map([['prod', deployedAt(def({ approvals: 2 }))]]), catalogOf(head));
    expect(out.get('prod')?.definition).toMatchObject({ approvals: { required: 2 }, allowDestroy: false });
    expect(withDeployedDefinitions(base, new Map(), catalogOf(head))).toEqual(base);
  });

  it('applies to stacks identical at base and head, and to stacks new at the base', () => {
    const head = def({ approvals: 0 });
    const identical = withDeployedDefinitions(new Map(), new Map([['prod', deployedAt(def({ approvals: 1 }))]]), catalogOf(head));
    expect(identical.get('prod')?.definition?.approvals).toEqual({ required: 1 });
    const fresh = withDeployedDefinitions(
      new Map([['prod', null]]),
      new Map([['prod', deployedAt(def({ approvals: 1 }))]]),
      catalogOf(head),
    );
    expect(fresh.get('prod')?.definition?.approvals).toEqual({ required: 1 });
  });

  it('fails closed when the deployed definition cannot be read', () => {
    const out = withDeployedDefinitions(new Map(), new Map([['prod', deployedAt(undefined, ['not in this clone'])]]), catalogOf(def({})));
    expect(out.get('prod')).toEqual({
      file: 'stacks/prod.yaml',
      problems: ['its definition at its last deployed commit c0ffee000000 (stacks/prod.yaml) cannot be read: not in this clone'],
    });
  });
});

describe('policy changes an MR makes', () => {
  const withDrift = (drift: string) => parseStackFile('stacks/prod.yaml', 'prod', `program: app\ndrift:\n${drift}`).definition!;
  const changes = (before: StackDefinition, after: StackDefinition) => {
    const affected: AffectedResult = {
      base: 'b',
      head: 'h',
      mergeBase: 'b',
      changes: [],
      stacks: [{ name: 'prod', action: 'update', reasons: [] }],
      warnings: [],
    };
    return policyChanges(affected, catalogOf(after), new Map([['prod', { file: 'stacks/prod.yaml', definition: before, problems: [] }]]));
  };

  it('names an ignore rule added to a stack as lowering protection: it hides drift from the report and from remediation', () => {
    const before = withDrift('  policy: remediate\n  ignoreManagers: [hpa-controller]\n');
    const after = withDrift('  policy: remediate\n  ignoreManagers: [hpa-controller, kubectl]\n  ignorePaths: ["*:*"]\n');
    expect(changes(before, after)).toEqual([
      { stack: 'prod', field: 'drift.ignoreManagers', from: 'hpa-controller', to: 'hpa-controller, kubectl', lowers: true },
      { stack: 'prod', field: 'drift.ignorePaths', from: 'none', to: '*:*', lowers: true },
    ]);
  });

  it('a removed ignore rule is a change that raises protection', () => {
    const before = withDrift('  policy: remediate\n  ignorePaths: ["apps/v1/Deployment:spec.replicas"]\n');
    expect(changes(before, withDrift('  policy: remediate\n'))).toEqual([
      { stack: 'prod', field: 'drift.ignorePaths', from: 'apps/v1/Deployment:spec.replicas', to: 'none', lowers: false },
    ]);
  });

  it('names a dropped stack label as lowering protection (the packs it selects stop applying once merged), an added one as not', () => {
    const withLabels = (labels: string) => parseStackFile('stacks/prod.yaml', 'prod', `program: app\n${labels}`).definition!;
    expect(changes(withLabels('labels: [production, kubernetes]\n'), withLabels('labels: [kubernetes]\n'))).toEqual([
      { stack: 'prod', field: 'labels', from: 'kubernetes, production', to: 'kubernetes', lowers: true },
    ]);
    expect(changes(withLabels(''), withLabels('labels: [pci]\n'))).toEqual([
      { stack: 'prod', field: 'labels', from: 'none', to: 'pci', lowers: false },
    ]);
    expect(changes(withLabels('labels: [a, b]\n'), withLabels('labels: [b, a]\n'))).toEqual([]);
  });

  it('names env the change adds as one its own preview withholds, and a removed entry as none', () => {
    const withEnv = (env: string) => parseStackFile('stacks/prod.yaml', 'prod', `program: app\n${env}`).definition!;
    expect(changes(withEnv('env: { REGION: DEPLOY_REGION }\n'), withEnv('env: { REGION: DEPLOY_REGION, LEAK: JOB_SECRET }\n'))).toEqual([
      { stack: 'prod', field: 'env', from: 'REGION=DEPLOY_REGION', to: 'LEAK=JOB_SECRET, REGION=DEPLOY_REGION', lowers: true },
    ]);
    expect(changes(withEnv('env: { REGION: DEPLOY_REGION }\n'), withEnv(''))).toEqual([
      { stack: 'prod', field: 'env', from: 'REGION=DEPLOY_REGION', to: 'none', lowers: false },
    ]);
  });
});

describe('the environment a merge-request job gives each program', () => {
  const parsed = (name: string, env: string) => parseStackFile(`stacks/${name}.yaml`, name, `program: app\n${env}`).definition!;
  it("is the base's: a new entry, a new stack or an unreadable base get none of what the change adds", () => {
    const head = catalogOf(
      parsed('same', 'env: { A: X }\n'),
      parsed('widened', 'env: { A: X, LEAK: JOB_SECRET }\n'),
      parsed('fresh', 'env: { LEAK: JOB_SECRET }\n'),
      parsed('unreadable', 'env: { LEAK: JOB_SECRET }\n'),
    );
    const running = protectedEnv(
      head,
      new Map([
        ['widened', { file: 'stacks/widened.yaml', definition: parsed('widened', 'env: { A: X }\n'), problems: [] }],
        ['fresh', null],
        ['unreadable', { file: 'stacks/unreadable.yaml', problems: ['not valid YAML'] }],
      ]),
    );
    expect(Object.fromEntries(running.stacks.map((s) => [s.name, s.env ?? {}]))).toEqual({
      same: { A: 'X' },
      widened: { A: 'X' },
      fresh: {},
      unreadable: {},
    });
    expect(running.byName.get('widened')?.env).toEqual({ A: 'X' });
  });
});
