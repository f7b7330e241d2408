import type { StackResult } from '../engine/result.js';
import { exitCodeForOutcome, isStackUsageFailure } from '../errors/exit-codes.js';
import { describeResult, hasChanges } from '../report/console-progress.js';

/**
 * The exit code of a preview or deploy run: cancelled, then failed (a skip counts unless it was
 * by design), then pending changes under `preview --detailed-exitcode`.
 */
export function operationExitCode(results: readonly StackResult[], options: { aborted: boolean; detailedExitcode: boolean }): number {
  return exitCodeForOutcome({
    cancelled: options.aborted || results.some((r) => r.status === 'cancelled'),
    usage: results.some((r) => r.status === 'failed' && isStackUsageFailure(r.error?.code)),
    failed: results.some((r) => r.status === 'failed' || (r.status === 'skipped' && !r.benign)),
    changesLeft: options.detailedExitcode && hasChanges(results),
  });
}

/** The summary printed to stderr after a run. Pure. */
export function summarize(command: string, results: readonly StackResult[]): string {
  return `${command} summary:\n${results.map((r) => `  ${r.name}: ${describeResult(r)}`).join('\n')}\n`;
}
