import type { StackDefinition } from '../stacks/schema.js';
import type { LockHolder } from './lock-holder.js';
import type { ProgressSink } from './progress.js';
import type { RecoverOutcome, RecoverRequest } from './recover-state.js';
import type { Operation, StackResult } from './result.js';

/** One engine operation on one stack. */
export interface RunRequest {
  stack: StackDefinition;
  operation: Operation;
  signal?: AbortSignal;
  /** The update message recorded in the stack's history (commit, MR, pipeline). */
  message?: string;
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
   * The commit the stack's newest successful gitops deploy recorded in its update message
   * (`gitops deploy of <sha12>`), read from the stack's update history; undefined when none is
   * on record (never deployed by gitops deploy, or the stack does not exist).
   */
  lastDeployedCommit(stack: StackDefinition): Promise<string | undefined>;
}
