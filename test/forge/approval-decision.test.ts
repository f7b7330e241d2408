import { describe, expect, it } from 'vitest';
import type { Approvals, MergeRequestRef } from '../../src/forge/forge.js';
import { approvalDecision } from '../../src/merge-request/approvals-gate.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { stackFile } from '../helpers/stack-files.js';

const prod = parseStackFile('stacks/prod.yaml', 'prod', stackFile({ approvals: 2 })).definition!;
const open = parseStackFile('stacks/dev.yaml', 'dev', stackFile({})).definition!;
const mr: MergeRequestRef = { number: 7, title: 'Change prod', state: 'merged', targetBranch: 'main' };

/** The gate turns what the forge trusted into a decision, and says why it refuses. */
describe('the approvals gate', () => {
  it('lets a stack without an approvals rule through, whatever the forge says', () => {
    expect(approvalDecision(open, undefined, undefined)).toEqual({ allowed: true });
  });

  it('needs the merge request that landed the commit', () => {
    expect(approvalDecision(prod, undefined, undefined)).toEqual({
      allowed: false,
      reason: 'needs 2 approvals, but no merge request was found for this commit',
    });
  });

  it('counts only the approvals the forge trusted, and names the others with why', () => {
    const approvals: Approvals = {
      approved: true,
      approvers: ['alice'],
      ignored: [
        { user: 'dev-7', reason: 'the author of the merge request' },
        { user: 'renovate', reason: 'a bot' },
      ],
    };
    expect(approvalDecision(prod, mr, approvals)).toEqual({
      allowed: false,
      reason: 'needs 2 approvals; merge request #7 has 1; not counted: dev-7 (the author of the merge request), renovate (a bot)',
    });
    expect(approvalDecision(prod, mr, { ...approvals, approvers: ['alice', 'bob'] })).toEqual({ allowed: true });
  });

  it('refuses, with the reason, approvals that cannot be tied to the merged commit', () => {
    const approvals: Approvals = {
      approved: false,
      approvers: ['alice', 'bob'],
      unverifiable: 'approvals on GitLab carry no commit, and ...',
    };
    expect(approvalDecision(prod, mr, approvals)).toEqual({
      allowed: false,
      reason: 'needs 2 approvals; merge request #7: approvals on GitLab carry no commit, and ...',
    });
  });

  it('refuses while someone with write access requests changes', () => {
    const approvals: Approvals = { approved: false, approvers: ['alice', 'bob'], changesRequestedBy: ['carol'] };
    expect(approvalDecision(prod, mr, approvals)).toEqual({
      allowed: false,
      reason: 'needs 2 approvals; merge request #7 has 2; changes requested by carol',
    });
  });
});
