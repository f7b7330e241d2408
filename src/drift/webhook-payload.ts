import { createHash } from 'node:crypto';
import type { AlertKind, DriftReport } from '../api/drift-report.js';
import type { ResourceChange } from '../engine/result.js';
import { redactDeep } from '../secrets/redact-deep.js';

/*
 * The generic webhook's JSON document (`--notify webhook=URL`): the drift report as data. Its
 * schema is versioned by `schema`; fields are only ever added within a version. Values are the
 * rendered ones of the reports (secrets "[secret]"), then every string is passed through the
 * redactor, so no known secret leaves the job.
 */

export const DRIFT_WEBHOOK_SCHEMA = 'pulumi-gitops/drift@1';

export interface WebhookProperty {
  path: string;
  kind: string;
  old?: string;
  new?: string;
  secret?: boolean;
  /** Why this field is not drift (`manager hpa-controller`), when it is managed elsewhere. */
  managedElsewhere?: string;
}

export interface WebhookResource {
  urn: string;
  type: string;
  name: string;
  op: string;
  properties: WebhookProperty[];
}

export interface WebhookStack {
  name: string;
  /** The check: succeeded, failed, cancelled, skipped. */
  status: string;
  /** What the run did about drift: none, reported, remediated, blocked, failed. */
  action: string;
  policy: string;
  blockedReason?: string;
  error?: { code: string; message: string };
  drifted: WebhookResource[];
  deleted: WebhookResource[];
  managedElsewhere: WebhookResource[];
  /** With drift history: why this stack is in the message (new, changed, resolved, remediated, failed). */
  alert?: AlertKind;
}

export interface DriftWebhookPayload {
  schema: typeof DRIFT_WEBHOOK_SCHEMA;
  /** Unique per run and the same on every retry of its POST: receivers may dedupe on it. */
  id: string;
  event: 'drift';
  /** When the run checked, ISO 8601. */
  time: string;
  commit?: string;
  pipelineUrl?: string;
  summary: { checked: number; drifted: number; remediated: number; blocked: number; failed: number; clean: number };
  stacks: WebhookStack[];
}

export interface DriftRunMeta {
  time: Date;
  commit?: string;
  pipelineUrl?: string;
}

const resource = (r: ResourceChange): WebhookResource => ({
  urn: r.urn,
  type: r.type,
  name: r.name,
  op: r.op,
  properties: r.properties.map((p) => ({
    path: p.path,
    kind: p.kind,
    ...(p.old !== undefined ? { old: p.old } : {}),
    ...(p.new !== undefined ? { new: p.new } : {}),
    ...(p.secret ? { secret: true } : {}),
    ...(p.managedElsewhere ? { managedElsewhere: p.managedElsewhere } : {}),
  })),
});

/**
 * The webhook document of a drift run, from reports redacted first ({@link redactDeep}). Pure.
 * With `alerts` (from the drift history) it holds only the stacks whose drift is new, changed,
 * resolved or remediated, each with its `alert`; undefined when there are none, so the same drift
 * is sent once. Without, it holds every stack.
 */
export function driftWebhookPayload(
  raw: readonly DriftReport[],
  meta: DriftRunMeta,
  redact: (text: string) => string,
  alerts?: ReadonlyMap<string, AlertKind>,
): DriftWebhookPayload | undefined {
  const redacted = redactDeep(raw, redact);
  const reports = alerts ? redacted.filter((r) => alerts.has(r.name)) : redacted;
  if (alerts && reports.length === 0) return undefined;
  // Shards of one run check at about the same time: the stacks named keep their ids apart.
  const names = createHash('sha256')
    .update(reports.map((r) => r.name).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const count = (action: string) => reports.filter((r) => r.action === action).length;
  const failed = reports.filter((r) => r.status !== 'succeeded' || r.action === 'failed').length;
  const payload: DriftWebhookPayload = {
    schema: DRIFT_WEBHOOK_SCHEMA,
    id: `drift/${meta.time.toISOString()}/${meta.commit ?? 'unknown'}/${names}`,
    event: 'drift',
    time: meta.time.toISOString(),
    ...(meta.commit ? { commit: meta.commit } : {}),
    ...(meta.pipelineUrl ? { pipelineUrl: meta.pipelineUrl } : {}),
    summary: {
      checked: reports.length,
      drifted: count('reported'),
      remediated: count('remediated'),
      blocked: count('blocked'),
      failed,
      clean: reports.filter((r) => r.status === 'succeeded' && r.action === 'none').length,
    },
    stacks: reports.map((r) => ({
      name: r.name,
      status: r.status,
      action: r.action,
      policy: r.policy,
      ...(r.blockedReason ? { blockedReason: r.blockedReason } : {}),
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
      drifted: r.drifted.map(resource),
      deleted: r.deleted.map(resource),
      managedElsewhere: r.managedElsewhere.map(resource),
      ...(alerts?.has(r.name) ? { alert: alerts.get(r.name)! } : {}),
    })),
  };
  return payload;
}
