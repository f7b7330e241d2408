import type { StackDefinition } from '../stacks/schema.js';
import type { ProgressSink } from './progress.js';
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
  /** Removes a lock left by a killed run. */
  unlock(stack: StackDefinition): Promise<void>;
}
