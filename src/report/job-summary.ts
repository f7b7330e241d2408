import type { StackResult } from '../engine/result.js';
import { describeChanges } from './console-progress.js';
import { code, fitToLimit, table } from './markdown.js';

/** GitHub accepts up to 1 MiB of job summary per step; we stay below, in characters. */
export const JOB_SUMMARY_LIMIT = 1_000_000;

const statusText: Record<StackResult['status'], string> = {
  succeeded: '✅ ok',
  failed: '❌ failed',
  cancelled: '⛔ cancelled',
  skipped: '➖ skipped',
};

/**
 * The job summary of a preview or deploy by selection: one row per stack with its result and
 * change counts (merge request previews and deploys on merge have their own reports). Pure;
 * the caller redacts.
 */
export function operationSummaryMarkdown(command: string, results: readonly StackResult[], limit = JOB_SUMMARY_LIMIT): string {
  const rows = results.map((r) => [
    code(r.name),
    statusText[r.status],
    r.status === 'succeeded' ? describeChanges(r.changes) : (r.error?.message ?? r.skipReason ?? ''),
  ]);
  const head = `### gitops ${command}: ${results.length} stack${results.length === 1 ? '' : 's'}`;
  return fitToLimit(head, rows.length ? [table(['Stack', 'Result', 'Changes'], rows)] : [], '', limit);
}
