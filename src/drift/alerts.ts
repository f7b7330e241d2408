import type { AlertKind, DriftReport } from '../api/drift-report.js';
import { driftFingerprint, type StackRunRecord } from './run-record.js';

const drifting = (action: string): boolean => action === 'reported' || action === 'blocked';

/** What the history says about a stack before this run: its last check, and its last check that succeeded. */
export interface StackPast {
  last?: StackRunRecord;
  lastSucceeded?: StackRunRecord;
}

/**
 * Which alert, if any, a stack's result calls for, given its past. Pure.
 * - Drift found: `new` when the last good check had none, `changed` when it had other drift,
 *   nothing when it had this very drift (same fingerprint) and its alert got through.
 * - No drift where the last good check had some: `resolved`, once.
 * - Remediated: `remediated`, each time (something was changed).
 * - The check failed: `failed` when the last check had not failed already.
 */
export function alertFor(r: DriftReport, past: StackPast): AlertKind | undefined {
  if (r.status !== 'succeeded')
    return past.last && past.last.status !== 'succeeded' && past.last.delivered !== false ? undefined : 'failed';
  if (r.action === 'remediated') return 'remediated';
  if (r.action === 'failed') return past.last?.action === 'failed' && past.last.delivered !== false ? undefined : 'failed';
  const before = past.lastSucceeded;
  // An alert that was never delivered does not count as said.
  const said = before !== undefined && before.delivered !== false;
  if (drifting(r.action)) {
    if (!before || !drifting(before.action)) return 'new';
    if (before.fingerprint !== driftFingerprint(r)) return 'changed';
    return said ? undefined : (before.alert ?? 'new');
  }
  if (before && drifting(before.action)) return 'resolved';
  return before?.alert === 'resolved' && !said ? 'resolved' : undefined;
}
