import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlertKind, DriftAction, DriftReport } from '../api/drift-report.js';
import type { ResourceChange } from '../engine/result.js';
import { stableJson } from '../lib/stable-json.js';

/** What one drift run found on one stack, as kept in the history beside the state. */
export interface StackRunRecord {
  schemaVersion: 1;
  time: string;
  commit?: string;
  /** The CI job that ran the check. */
  jobUrl?: string;
  stack: string;
  status: string;
  action: DriftAction;
  drifted: string[];
  deleted: string[];
  /** Names the drift's content (resources, paths, Git and live values): the same drift, the same fingerprint. */
  fingerprint?: string;
  /** Which alert this run sent about the stack, if any. */
  alert?: AlertKind;
  /** False when a Slack or webhook target could not be reached: the next run sends the alert again. */
  delivered?: boolean;
}

const driftActions = ['none', 'reported', 'remediated', 'blocked', 'failed'] as const satisfies readonly DriftAction[];

/** The shape a stored record must have; unknown fields are ignored, so newer records still read. */
export const stackRunSchema = z.object({
  schemaVersion: z.literal(1),
  time: z.string(),
  commit: z.string().optional(),
  jobUrl: z.string().optional(),
  stack: z.string(),
  status: z.string(),
  action: z.enum(driftActions),
  drifted: z.array(z.string()),
  deleted: z.array(z.string()),
  fingerprint: z.string().optional(),
  alert: z.enum(['new', 'changed', 'resolved', 'remediated', 'failed']).optional(),
  delivered: z.boolean().optional(),
});

const content = (r: ResourceChange) => ({
  urn: r.urn,
  op: r.op,
  properties: r.properties.map((p) => [p.path, p.old ?? null, p.new ?? null]),
});

/**
 * The fingerprint of a stack's drift: a hash of each drifted or deleted resource with its paths and
 * values (as rendered and redacted, so a changed secret changes it only through its masked form). Pure.
 */
export function driftFingerprint(r: DriftReport): string {
  const text = stableJson({ drifted: r.drifted.map(content), deleted: r.deleted.map(content) });
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** One record per stack of a run. Pure. */
export function stackRunRecords(
  reports: readonly DriftReport[],
  meta: { time: Date; commit?: string; jobUrl?: string },
  alerts: ReadonlyMap<string, AlertKind>,
  delivered: boolean,
): StackRunRecord[] {
  return reports.map((r) => {
    const alert = alerts.get(r.name);
    return {
      schemaVersion: 1,
      time: meta.time.toISOString(),
      ...(meta.commit ? { commit: meta.commit } : {}),
      ...(meta.jobUrl ? { jobUrl: meta.jobUrl } : {}),
      stack: r.name,
      status: r.status,
      action: r.action,
      drifted: r.drifted.map((x) => x.name),
      deleted: r.deleted.map((x) => x.name),
      ...(r.status === 'succeeded' ? { fingerprint: driftFingerprint(r) } : {}),
      ...(alert ? { alert, delivered } : {}),
    };
  });
}

/** The name of a run's record: its time first, so names sort by time, then a random tail so two runners never collide. */
export function runName(time: Date, random: string): string {
  return `${time.toISOString().replace(/[:.]/g, '-')}-${random}`;
}
