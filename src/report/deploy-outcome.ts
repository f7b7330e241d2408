import type { StackResult } from '../engine/result.js';
import type { CommitState } from '../forge/forge.js';
import { describeChanges } from './console-progress.js';

/*
 * What a deploy did to each stack, in the words operators use: deployed, destroyed, failed,
 * waiting for approval. The MR comment, the commit statuses, the GitHub job summary and the
 * annotations all read this one model. Pure.
 */

export type DeployOutcomeKind = 'deployed' | 'destroyed' | 'failed' | 'cancelled' | 'waiting-approval' | 'not-deployed' | 'left-alone';

export interface DeployOutcome {
  stack: string;
  kind: DeployOutcomeKind;
  /** One line: the change counts, the error, or why the stack did not run. */
  detail: string;
  /** The Pulumi update's version in the stack's history (from the engine's result). */
  updateVersion?: number;
}

export const outcomeLabel: Record<DeployOutcomeKind, string> = {
  deployed: '✅ deployed',
  destroyed: '🗑️ destroyed',
  failed: '❌ failed',
  cancelled: '⛔ cancelled',
  'waiting-approval': '⏳ waiting for approval',
  'not-deployed': '⚠️ not deployed',
  'left-alone': '➖ left alone',
};

// The approvals gate's refusal ("deploy refused: needs 1 approval; ...") and the scheduler's
// skip of a dependent ("depends on X, which was skipped").
const approvalRefusal = /^deploy refused: needs \d+ approvals?\b/;
const dependencySkip = /^depends on (\S+), which was skipped$/;

/** The outcome of each stack of a deploy run, in the run's order. Pure. */
export function deployOutcomes(results: readonly StackResult[]): DeployOutcome[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  // A stack held back only because a stack it depends on waits for approval waits too.
  const waits = (r: StackResult, seen = new Set<string>()): boolean => {
    if (r.status !== 'skipped' || r.benign || seen.has(r.name)) return false;
    if (approvalRefusal.test(r.skipReason ?? '')) return true;
    const upstream = dependencySkip.exec(r.skipReason ?? '')?.[1];
    const blocker = upstream === undefined ? undefined : byName.get(upstream);
    return blocker !== undefined && waits(blocker, seen.add(r.name));
  };
  return results.map((r): DeployOutcome => {
    const version = r.updateVersion === undefined ? {} : { updateVersion: r.updateVersion };
    if (r.status === 'succeeded')
      return { stack: r.name, kind: r.operation === 'destroy' ? 'destroyed' : 'deployed', detail: describeChanges(r.changes), ...version };
    if (r.status === 'failed') return { stack: r.name, kind: 'failed', detail: r.error?.message ?? 'unknown error', ...version };
    if (r.status === 'cancelled') return { stack: r.name, kind: 'cancelled', detail: 'cancelled', ...version };
    return {
      stack: r.name,
      kind: r.benign ? 'left-alone' : waits(r) ? 'waiting-approval' : 'not-deployed',
      detail: r.skipReason ?? 'skipped',
    };
  });
}

/** The commit status of an outcome; undefined for a stack left alone by design (nothing to show). */
export function commitStateOf(kind: DeployOutcomeKind): CommitState | undefined {
  switch (kind) {
    case 'deployed':
    case 'destroyed':
      return 'success';
    case 'waiting-approval':
      return 'pending';
    case 'left-alone':
      return undefined;
    default:
      return 'failed';
  }
}

/** The status description: what happened, the update version, and the reason or counts. */
export function statusLine(o: DeployOutcome): string {
  const label = outcomeLabel[o.kind].replace(/^\S+\s/, '');
  const version = o.updateVersion === undefined ? '' : ` (update ${o.updateVersion})`;
  return `${label}${version}: ${o.detail}`;
}
