import type { RecordNeeds, RecordRead } from '../backend-state/read-records.js';
import type { IgnoreChangesRule } from '../program-host/ignore-changes.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { LockHolder } from '../state-lock/lock-holder.js';
import type { PolicyRun } from './policy-result.js';
import type { ProgressSink } from './progress.js';
import type { RecoverOutcome, RecoverRequest } from './recover-state.js';
import type { Operation, StackResult } from './result.js';
import type { StateVersion } from './state-version.js';

/** One engine operation on one stack. */
export interface RunRequest {
  stack: StackDefinition;
  operation: Operation;
  signal?: AbortSignal;
  /** The update message recorded in the stack's history (commit, MR, pipeline). */
  message?: string;
  /**
   * The full commit being deployed. A successful `up` records it as the stack tag
   * `gitops:commit`; a failed one leaves the tag alone.
   */
  commit?: string;
  /** Properties to leave as they are live (drift remediation: fields managed elsewhere); see `withIgnoreChanges`. */
  ignoreChanges?: IgnoreChangesRule[];
  /** Binds the operation to a Pulumi update plan (see {@link PlanRequest}). */
  plan?: PlanRequest;
  /** Preview and up: act on these resources (URNs) only, and what they depend on being unchanged (`--target`). */
  targets?: readonly string[];
  /** Preview and up: refresh the state from the live resources first (`--refresh`). */
  refresh?: boolean;
  /** Preview, up and remediation: the policy packs to check the change against (see `src/policy/`). */
  policy?: PolicyRun;
}

/** A stack output as the state holds it. */
export interface StackOutput {
  value: unknown;
  secret: boolean;
}

/**
 * Pulumi's update plans (experimental in 3.248). A preview saves the plan it computed and reports
 * it in `StackResult.planned`; an `up` obeys a saved plan and fails as soon as it would depart
 * from it. Any writing operation given `expectState` first refuses (PREVIEW_STALE) when the
 * stack's state is no longer the one the plan was made against.
 */
export interface PlanRequest {
  /** Preview: where to save the plan (default: a file in the stack's work folder). Up: the plan to obey. */
  file?: string;
  /** The config salt the plan's secrets were encrypted with (`planned.encryptionSalt` of its preview). */
  encryptionSalt?: string;
  /** The state the plan was made against (`planned.state` of its preview). */
  expectState?: StateVersion;
}

/**
 * The side-effect boundary around Pulumi. The real implementation drives the Automation API;
 * everything above it (planning, ordering, reporting) is plain data in and out.
 */
export interface Engine {
  /** Runs the operation. Failures come back as a `failed` result with a classified error, never as a throw. */
  run(request: RunRequest, sink: ProgressSink): Promise<StackResult>;
  /**
   * Removes a lock left by a killed run; returns the holders removed. Refuses (STACK_LOCKED)
   * while the holder runs on this host, and for a holder on another host unless `force`.
   */
  unlock(stack: StackDefinition, options?: { force?: boolean }): Promise<LockHolder[]>;
  /** Settles the pending operations a killed run left: adopts or forgets each one, as named. */
  recover(request: RecoverRequest, sink: ProgressSink): Promise<RecoverOutcome>;
  /**
   * The commit the stack's newest successful gitops deploy recorded: its `gitops:commit` tag (a
   * full sha), else the update message (`gitops deploy of <sha12>`) in its history; undefined
   * when none is on record (never deployed by gitops deploy, destroyed since, or no such stack).
   */
  lastDeployedCommit(stack: StackDefinition): Promise<string | undefined>;
  /**
   * Many stacks' deploy records at once, keyed by stack name: on a self-managed backend (file,
   * S3) read directly from its objects (tags, latest update, version, state summary, locks), one
   * listing and parallel reads; elsewhere the deployed commit through the CLI, batched. A record
   * that cannot be read is that stack's error, never "not deployed". `needs` leaves out what the
   * caller does not use (the newest update: one read less per stack).
   */
  deployRecords(stacks: readonly StackDefinition[], needs?: RecordNeeds): Promise<Map<string, RecordRead>>;
  /**
   * The stack's outputs, secret ones decrypted in memory (the redactor learns them) and flagged;
   * undefined when the stack has no state yet (never deployed). Needs the stack's secrets.
   */
  outputs(stack: StackDefinition): Promise<Record<string, StackOutput> | undefined>;
}
