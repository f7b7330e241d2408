import type { Operation, ResourceOp, StackResult } from './result.js';

/**
 * Typed progress events, emitted while stacks run. The host (the CLI) decides how to render
 * them; the engine adapter never prints.
 */
export type ProgressEvent =
  | { type: 'stack-start'; stack: string; operation: Operation }
  | { type: 'resource-start'; stack: string; op: ResourceOp; urn: string; resourceType: string; name: string }
  | { type: 'resource-done'; stack: string; op: ResourceOp; urn: string; resourceType: string; name: string; durationMs?: number }
  | { type: 'resource-failed'; stack: string; urn: string; name: string; message: string }
  | { type: 'diagnostic'; stack: string; severity: 'info' | 'warning' | 'error'; message: string; urn?: string }
  | { type: 'stack-done'; stack: string; result: StackResult }
  /** A line for the operator; warnings are shown even in quiet mode. */
  | { type: 'log'; message: string; level?: 'info' | 'warning' };

export type ProgressSink = (event: ProgressEvent) => void;
