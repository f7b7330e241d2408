import { describe, expect, it } from 'vitest';
import {
  type DeploymentState,
  pendingOperationsError,
  pendingOperationsOf,
  settlesItself,
} from '../../src/backend-state/pending-operations.js';
import { cancelledOutcome } from '../../src/engine/cancel-outcome.js';
import { checkDecisions, repairDeployment } from '../../src/engine/recover-state.js';
import { GitopsError } from '../../src/errors/gitops-error.js';

const rootUrn = 'urn:pulumi:s::p::pulumi:pulumi:Stack::p-s';
const fileUrn = 'urn:pulumi:s::p::pulumi-nodejs:dynamic:Resource::made';

/** A checkpoint as a kill leaves it: a root stack create, a malformed entry, and perhaps a real create. */
function killed(withReal: boolean): DeploymentState {
  return {
    manifest: { time: '2026-12-07T03:00:00Z' },
    resources: [],
    pending_operations: [
      { type: 'creating', resource: { urn: rootUrn, type: 'pulumi:pulumi:Stack' } },
      { type: 'creating', resource: { urn: '', type: '' } },
      // Written by hand or by a broken tool: no resource at all.
      null as unknown as { type: string; resource: { urn: string; type: string } },
      ...(withReal ? [{ type: 'creating', resource: { urn: fileUrn, type: 'pulumi-nodejs:dynamic:Resource' } }] : []),
    ],
  };
}

/** The problems a refused recover lists (its details), or 'accepted'. */
function problems(run: () => void): string {
  try {
    run();
    return 'accepted';
  } catch (err) {
    return (err as GitopsError).details.join('\n');
  }
}

describe('pending operations that need no person', () => {
  it('a malformed entry reads with an empty URN instead of throwing', () => {
    const pending = pendingOperationsOf(killed(false));
    expect(pending.map((p) => [p.urn, p.operation])).toEqual([
      [rootUrn, 'creating'],
      ['', 'creating'],
      ['', ''],
    ]);
    expect(pending.every(settlesItself)).toBe(true);
  });

  it('recover needs no decision for them, and drops them with the rest', () => {
    const pending = pendingOperationsOf(killed(false));
    expect(() => checkDecisions('s', pending, { imports: [], forgets: [] })).not.toThrow();
    expect(repairDeployment(killed(false), { imports: [], forgets: [] }).pending_operations).toEqual([]);
  });

  it('a real pending create still needs its decision, and naming the root or an empty URN is refused', () => {
    const pending = pendingOperationsOf(killed(true));
    expect(problems(() => checkDecisions('s', pending, { imports: [], forgets: [] }))).toMatch(/^not decided: creating made/);
    expect(problems(() => checkDecisions('s', pending, { imports: [], forgets: [fileUrn] }))).toBe('accepted');
    expect(problems(() => checkDecisions('s', pending, { imports: [], forgets: [fileUrn, rootUrn] }))).toMatch(/needs no decision/);
    expect(problems(() => checkDecisions('s', pending, { imports: [], forgets: [fileUrn, ''] }))).toMatch(/empty URN/);
  });

  it('the error that stops a stack says when no decision is needed', () => {
    expect(pendingOperationsError('s', pendingOperationsOf(killed(false))).hint).toMatch(
      /none needs a decision: `gitops recover --stack s`/,
    );
    expect(pendingOperationsError('s', pendingOperationsOf(killed(true))).hint).toMatch(/--import URN=<its ID>/);
  });
});

describe('a cancelled write names what could not finish', () => {
  const cancelled = new GitopsError({ code: 'CANCELLED', kind: 'user', message: 'stack s: cancelled' });

  it('nothing pending: says every operation finished and was recorded', () => {
    const e = cancelledOutcome('s', cancelled, []);
    expect(e.code).toBe('CANCELLED');
    expect(e.details).toEqual(['every operation in flight finished and was recorded; nothing is pending']);
  });

  it('pending creates: each is named, with the recover step', () => {
    const e = cancelledOutcome('s', cancelled, pendingOperationsOf(killed(true)));
    expect(e.details[0]).toBe('4 operations could not finish:');
    expect(e.details.join('\n')).toContain(fileUrn);
    expect(e.hint).toContain('gitops recover --stack s');
  });

  it('an unreadable state: says it cannot tell', () => {
    expect(cancelledOutcome('s', cancelled, undefined, 'EACCES').details[0]).toMatch(/unknown: the state could not be read \(EACCES\)/);
  });
});
