import type { PolicyOutcome } from '../engine/policy-result.js';
import type { ResourceChange, StackResult, StackStatus } from '../engine/result.js';
import type { DriftPolicy } from '../stacks/schema.js';

/** What the drift job did about a stack's drift. */
export type DriftAction = 'none' | 'reported' | 'remediated' | 'blocked' | 'failed';

export interface DriftReport {
  name: string;
  status: StackStatus;
  policy: DriftPolicy;
  /** Resources whose live properties differ from the state Git last deployed. */
  drifted: ResourceChange[];
  /** Resources deleted out of band. */
  deleted: ResourceChange[];
  /**
   * Fields that differ from Git but are managed elsewhere (`drift.ignoreManagers`,
   * `drift.ignorePaths`): each property says why. Not drift: remediation leaves them alone.
   */
  managedElsewhere: ResourceChange[];
  unchanged: number;
  action: DriftAction;
  /** Why remediation waits for a person. */
  blockedReason?: string;
  /** The `up` that converged the stack back on Git. */
  remediation?: StackResult;
  error?: { code: string; message: string };
  /** What the policy packs said of the live resources (refreshed), when any apply to the stack. */
  policyChecks?: PolicyOutcome;
  durationMs: number;
}

/** Why a stack is alerted on: its drift is new, changed, resolved or remediated, or its check started failing. */
export type AlertKind = 'new' | 'changed' | 'resolved' | 'remediated' | 'failed';

/** A stretch of time during which a stack had drift. */
export interface DriftEpisode {
  stack: string;
  appeared: string;
  appearedAt?: string;
  /** When a run found it gone or remediated it; absent while the drift is still there. */
  fixed?: string;
  fixedBy?: 'remediation' | 'cleared';
  resources: string[];
  runs: number;
}
