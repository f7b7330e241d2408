import { describe, expect, it } from 'vitest';
import { type StateVersion, stateDigest, stateMoved } from '../../src/engine/state-version.js';
import { planRejection } from '../../src/engine/update-plan.js';
import { describeDifferences, operationDifferences } from '../../src/update-plans/compare-operations.js';
import type { PlanRecord } from '../../src/update-plans/plan-record.js';
import { type DeployFacts, planDecision } from '../../src/update-plans/staleness.js';

const tree = 'a'.repeat(40);
const commit = 'c'.repeat(40);
const state: StateVersion = { update: 0, lastUpdate: 'update 2026-11-27T12:00:00.000Z', digest: stateDigest({ resources: [] }) };
const urn = (name: string) => `urn:pulumi:web::site::pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource::${name}`;

function record(fields: Partial<PlanRecord> = {}): PlanRecord {
  return {
    format: 1,
    stack: 'web',
    project: 'site',
    pulumiStack: 'web',
    operation: 'up',
    commit,
    tree,
    state,
    planFile: 'web.plan.json',
    resources: [{ urn: urn('page'), op: 'update', changedProperties: ['content'] }],
    previewedAt: '2026-11-27T12:00:00.000Z',
    ...fields,
  };
}
const now: DeployFacts = { project: 'site', pulumiStack: 'web', operation: 'up', commit, tree };

describe('whether a stored preview binds a deploy', () => {
  it('binds when the merged tree is the previewed tree and the record is complete', () => {
    const r = record();
    expect(planDecision(r, now)).toEqual({ bound: true, record: r });
  });

  it('refuses a stack without a record: nothing reviewed to bind it to', () => {
    expect(planDecision(undefined, now)).toEqual({
      bound: false,
      reason: 'no approved preview was stored for it (the merge request preview did not plan this stack)',
    });
  });

  it('refuses a stack the preview could not plan, saying why', () => {
    const d = planDecision(record({ unplanned: "its preview was skipped: no access to this stack's secrets" }), now);
    expect(d).toEqual({
      bound: false,
      reason: "the merge request preview could not plan it: its preview was skipped: no access to this stack's secrets",
    });
  });

  it('refuses another tree: the program or stack files changed since the preview', () => {
    const d = planDecision(record(), { ...now, tree: 'b'.repeat(40), commit: 'd'.repeat(40) });
    expect(d.bound).toBe(false);
    expect(!d.bound && d.reason).toBe(
      `the merged tree (${'b'.repeat(12)}, commit ${'d'.repeat(12)}) is not the previewed tree (${'a'.repeat(12)}, commit ${'c'.repeat(12)}): ` +
        'the program or stack files changed since the preview',
    );
  });

  it('refuses a record of another Pulumi stack or another operation', () => {
    expect(planDecision(record({ pulumiStack: 'other' }), now)).toMatchObject({
      bound: false,
      reason: expect.stringContaining('site/other'),
    });
    expect(planDecision(record({ operation: 'destroy' }), now)).toEqual({
      bound: false,
      reason: 'the preview planned destroy, this deploy would up',
    });
  });

  it('refuses an up without a plan file or a recorded state; a destroy is bound by its state alone', () => {
    expect(planDecision(record({ planFile: undefined }), now)).toEqual({ bound: false, reason: 'the stored preview has no plan file' });
    expect(planDecision(record({ state: undefined }), now)).toMatchObject({ bound: false });
    const destroy = record({ operation: 'destroy', planFile: undefined });
    expect(planDecision(destroy, { ...now, operation: 'destroy' })).toEqual({ bound: true, record: destroy });
  });
});

describe('whether the state moved since the preview', () => {
  it('is unmoved when the last update and the digest are the same', () => {
    expect(stateMoved(state, { ...state })).toBeUndefined();
  });

  it('moved when a later update (or refresh) ran, even one that changed no resource', () => {
    expect(stateMoved(state, { ...state, lastUpdate: 'refresh 2026-11-27T12:05:00.000Z' })).toBe(
      "the stack's state moved since the preview: its last update was update 2026-11-27T12:00:00.000Z, now refresh 2026-11-27T12:05:00.000Z",
    );
    expect(stateMoved({ ...state, update: 4 }, { ...state, update: 5 })).toContain(
      'version 4 (update 2026-11-27T12:00:00.000Z), now version 5',
    );
  });

  it('moved when the state was edited outside an update', () => {
    const edited = { ...state, digest: stateDigest({ resources: [{ urn: urn('page') }] }) };
    expect(stateMoved(state, edited)).toBe(
      "the stack's state was changed since the preview, outside an update (last update: update 2026-11-27T12:00:00.000Z)",
    );
  });

  it('digests resources and pending operations, nothing else', () => {
    expect(stateDigest({ resources: [{ a: 1 }] })).toBe(stateDigest({ resources: [{ a: 1 }], pending_operations: [] }));
    expect(stateDigest({ resources: [{ a: 1 }] })).not.toBe(
      stateDigest({ resources: [{ a: 1 }], pending_operations: [{ type: 'creating' }] }),
    );
    expect(stateDigest(undefined)).toBe(stateDigest({}));
  });
});

describe('the approved preview against a fresh one', () => {
  it('finds nothing when each resource would get the same operation on the same keys', () => {
    const approved = [
      { urn: urn('page'), op: 'update', changedProperties: ['mode', 'content'] },
      { urn: urn('conf'), op: 'same', changedProperties: [] },
    ];
    const fresh = [{ urn: urn('page'), op: 'update', changedProperties: ['content', 'mode'] }];
    expect(operationDifferences(approved, fresh)).toEqual([]);
  });

  it('names each resource whose operation kind or changed keys differ, or that appears on one side only', () => {
    const approved = [
      { urn: urn('page'), op: 'update', changedProperties: ['content'] },
      { urn: urn('conf'), op: 'update', changedProperties: ['content'] },
      { urn: urn('old'), op: 'delete', changedProperties: [] },
    ];
    const fresh = [
      { urn: urn('page'), op: 'replace', changedProperties: ['path'] },
      { urn: urn('conf'), op: 'update', changedProperties: ['content', 'mode'] },
      { urn: urn('new'), op: 'create', changedProperties: [] },
    ];
    const diffs = operationDifferences(approved, fresh);
    expect(diffs).toEqual([
      { urn: urn('conf'), approved: 'update (content)', now: 'update (content, mode)' },
      { urn: urn('new'), approved: 'same', now: 'create' },
      { urn: urn('old'), approved: 'delete', now: 'same' },
      { urn: urn('page'), approved: 'update (content)', now: 'replace (path)' },
    ]);
    expect(describeDifferences(diffs, 2)).toBe('conf: update (content) -> update (content, mode); new: same -> create; and 2 more');
  });
});

describe("Pulumi's rejection of a plan", () => {
  it('becomes PREVIEW_STALE naming the resource, without the property values Pulumi prints', () => {
    const stderr =
      'error: resource urn:pulumi:demo-base::local-base::pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource::platform-settings ' +
      'violates plan: properties changed: =+__provider[{exports.handler = __f0;\n    var secret = "hunter2-value"';
    const err = planRejection('demo-base', stderr, new Error(stderr));
    expect(err?.code).toBe('PREVIEW_STALE');
    expect(err?.message).toBe(
      'stack demo-base: the approved preview is stale: the update departed from its plan at resource platform-settings ' +
        '(properties changed: =+__provider), and Pulumi stopped it there',
    );
    expect(err?.message).not.toContain('hunter2');
  });

  it('becomes PREVIEW_STALE when the plan cannot be decrypted (pulumi/pulumi#16412), and is undefined for other failures', () => {
    expect(planRejection('vault', 'error: decrypting secret value: cipher: message authentication failed', undefined)?.code).toBe(
      'PREVIEW_STALE',
    );
    expect(planRejection('vault', 'error: program failed', undefined)).toBeUndefined();
  });
});
