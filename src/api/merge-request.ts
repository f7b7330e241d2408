import type { OutputChange } from '../engine/result.js';

/** One stack the deploy after the merge runs, in its step of the plan. */
export interface OnMergeStack {
  name: string;
  /** Planned stacks it runs after. */
  after: string[];
  /** Approvals the deploy asks for before it runs this stack (0: none). */
  approvals: number;
}

/** What `gitops deploy` does once the merge request lands: steps of stacks that deploy in parallel, then destroys. */
export interface OnMergePlan {
  steps: OnMergeStack[][];
  /** Stacks whose files were deleted: destroyed when their last definition allows it, else left alone. */
  destroys: { name: string; allowed: boolean; approvals: number }[];
}

/** A previewed stack whose outputs change, and the stacks that read them. */
export interface DownstreamImpact {
  stack: string;
  outputs: OutputChange[];
  readers: DownstreamReader[];
}

/** One policy field an MR changes. */
export interface PolicyChange {
  stack: string;
  field:
    | 'approvals.required'
    | 'allowDestroy'
    | 'drift.policy'
    | 'drift.maxChanges'
    | 'drift.ignoreManagers'
    | 'drift.ignorePaths'
    | 'env'
    | 'labels';
  from: string;
  to: string;
  /**
   * True when head's rule is weaker: deploy keeps applying the base's. For `env`: head gives the
   * program a variable the base does not, which the merge request's own preview withholds.
   */
  lowers: boolean;
}

/** A stack that reads another's outputs. */
export interface DownstreamReader {
  name: string;
  /** How it reads them: a StackReference found in its program, or a declared `dependsOn`. */
  via: 'stack-reference' | 'depends-on';
}
