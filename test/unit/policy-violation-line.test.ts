import { describe, expect, it } from 'vitest';
import { violationLine } from '../../src/engine/policy-failure.js';

describe('a policy violation on the console', () => {
  it("is one line: the policy's description, then the violation's own message", () => {
    const line = violationLine({
      pack: 'demo',
      policy: 'private-credentials',
      enforcement: 'advisory',
      urn: 'urn:pulumi:open::creds::pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource::credentials',
      message: 'A credentials file is readable by its owner only (mode 600).\n  mode 644: others may read it\n',
    });
    expect(line).toBe(
      'policy demo/private-credentials (advisory) on credentials: A credentials file is readable by its owner only (mode 600). mode 644: others may read it',
    );
    expect(line).not.toContain('\n');
  });

  it('names the stack when the violation has no resource, and marks a proposed rule', () => {
    expect(violationLine({ pack: 'extra', policy: 'p', enforcement: 'mandatory', proposed: true, message: 'm' })).toBe(
      'policy extra/p (mandatory, proposed) on the stack: m',
    );
  });
});
