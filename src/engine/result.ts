import type { PolicyOutcome } from './policy-result.js';
import type { StateVersion } from './state-version.js';
/** The result model of an engine operation on one stack. Reporters are pure functions of it. */

/** What the driver asks the engine to do. */
export type Operation =
  | 'preview'
  | 'up'
  | 'refresh-preview'
  | 'refresh'
  /** Preview of `up --refresh`: what remediation would do. Writes nothing. */
  | 'remediate-preview'
  | 'destroy'
  | 'destroy-preview';

/** A resource-level operation, as the engine names it (`create`, `update`, `replace`, `delete`, `same`, ...). */
export type ResourceOp = string;

/** One property that differs, with the old (Git or last-known) and new (desired or live) values. */
export interface PropertyChange {
  path: string;
  kind: 'add' | 'update' | 'delete' | 'replace' | string;
  /** Rendered values; secrets appear as "[secret]". Undefined when the engine gave none. */
  old?: string;
  new?: string;
  /** A secret property: both values are "[secret]"; drift in it was found by comparing them in memory. */
  secret?: boolean;
  /**
   * Drift in a Kubernetes object: the field managers (`metadata.managedFields` of the live object)
   * that own this field, other than the Kubernetes provider's own. Empty or absent when unknown.
   */
  managers?: string[];
  /** The path as segments (keys and list indexes), where the live object told keys with dots apart. */
  segments?: (string | number)[];
  /** Drift that is managed elsewhere, and why (`manager hpa-controller`, `path apps/v1/Deployment:spec.replicas`). */
  managedElsewhere?: string;
}

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  op: ResourceOp;
  /** Names of the changed top-level properties. */
  changedProperties: string[];
  /** Per-property detail, where the engine reports it. */
  properties: PropertyChange[];
  /** True when the resource is `protect`ed in state. */
  protected?: boolean;
  /**
   * A created or replaced resource: the inputs it is given, rendered (stable pretty JSON, secrets
   * as "[secret]", redacted), so a reviewer sees what will exist.
   */
  inputs?: string;
  /**
   * Refreshed Kubernetes objects: the fields other field managers own live (`metadata.managedFields`),
   * each with its owners, so remediation can leave those of ignored managers alone.
   */
  foreignFields?: { path: (string | number)[]; managers: string[] }[];
}

/**
 * A stack output that differs between the deployed stack and a preview of the change. Values are
 * rendered and redacted like property values; secrets appear as "[secret]".
 */
export interface OutputChange {
  name: string;
  /** `unknown`: the preview cannot know the new value; it is computed during the deploy. */
  kind: 'add' | 'update' | 'delete' | 'unknown';
  old?: string;
  new?: string;
  secret?: boolean;
}

export type StackStatus = 'succeeded' | 'failed' | 'cancelled' | 'skipped';

export interface StackError {
  code: string;
  message: string;
}

export interface StackResult {
  /** The stack id (the file name in stacks/). */
  name: string;
  operation: Operation;
  status: StackStatus;
  /** Counts by resource operation, e.g. `{create: 2, same: 1}`. */
  changes: Record<ResourceOp, number>;
  /** Every resource the operation visited, with its operation. */
  resources: ResourceChange[];
  durationMs: number;
  error?: StackError;
  /** Why a stack was skipped (a dependency failed, deploy refused, ...). */
  skipReason?: string;
  /** Skipped by design (a deleted stack left alone), not because something went wrong. */
  benign?: boolean;
  /** Stack outputs after `up`; secret outputs appear as "[secret]". */
  outputs?: Record<string, unknown>;
  /** The update's version in the stack's history after `up` or `destroy` (see `updateVersionOf`). */
  updateVersion?: number;
  /** For a preview: the stack outputs that would change (what dependents will read after the deploy). */
  outputChanges?: OutputChange[];
  /** A preview run with a plan: the plan it saved and what the plan was made against. */
  planned?: PlannedPreview;
  /** What the policy packs said, when the run checked any. */
  policy?: PolicyOutcome;
  /** A stack refused because its approved preview is stale: a preview of what deploying it would do now. */
  freshPreview?: StackResult;
}

/** The plan a preview saved (see `RunRequest.plan`). */
export interface PlannedPreview {
  /** Undefined for a destroy preview: Pulumi has no plans for destroy, only the state is recorded. */
  file?: string;
  /** The config salt the plan's secrets are encrypted with; an `up` of it must use the same. */
  encryptionSalt?: string;
  /** The stack's state when the preview began. */
  state: StateVersion;
}

/** Operations that change nothing. */
export const noChangeOps = new Set(['same', 'read', 'refresh']);

/** Sum of counts for operations that change something. */
export function changeCount(changes: Record<string, number>): number {
  return Object.entries(changes).reduce((n, [op, c]) => (noChangeOps.has(op) ? n : n + c), 0);
}

/** The result of a stack that never ran. `benign`: skipped by design, not because something went wrong. */
export function skippedResult(name: string, operation: Operation, reason: string, benign = false): StackResult {
  return {
    name,
    operation,
    status: 'skipped',
    changes: {},
    resources: [],
    durationMs: 0,
    skipReason: reason,
    ...(benign ? { benign } : {}),
  };
}
