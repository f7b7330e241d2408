import type { AlertKind, DriftReport } from '../api/drift-report.js';
import type { ResourceChange } from '../engine/result.js';
import type { DriftRunMeta } from './webhook-payload.js';

/*
 * The Slack message of a drift run (`--notify slack=URL`): `text` (the notification and
 * fallback line) and Block Kit `blocks`: a header, one section per stack that needs a look,
 * and a context line with the commit and pipeline. Slack's limits: 50 blocks a message, 3,000
 * characters a section, 150 a header. Text is mrkdwn, so &, < and > are escaped.
 */

export interface SlackPayload {
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

const maxSections = 40;
const maxSectionChars = 3000;
const maxResources = 8;

/** Slack mrkdwn control characters escaped, as Slack's "Formatting text" guide asks. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A value as inline code; backticks (which would end it) become quotes. */
const inline = (text: string): string => `\`${slackEscape(text).replace(/`/g, "'")}\``;

/** True when a stack's result is worth a chat message: drift found, remediated, blocked, or the check failed. */
export function needsAttention(r: DriftReport): boolean {
  return r.status !== 'succeeded' || r.action !== 'none';
}

/** What an alert says about a stack, where the history tells new drift from old. */
const alertVerb: Record<AlertKind, string> = {
  new: ':warning: new drift',
  changed: ':warning: drift changed',
  resolved: ':white_check_mark: drift resolved',
  remediated: ':white_check_mark: drift remediated',
  failed: ':x: check failed',
};

const verb: Record<string, string> = {
  reported: ':warning: drift found',
  blocked: ':no_entry: drift found, remediation blocked',
  remediated: ':white_check_mark: drift remediated',
  failed: ':x: check failed',
  none: ':x: check failed',
};

function resourceLine(r: ResourceChange): string {
  const props = r.properties
    .slice(0, 3)
    .map((p) => (p.old !== undefined || p.new !== undefined ? `${p.path}: ${inline(p.old ?? '∅')} → ${inline(p.new ?? '∅')}` : p.path));
  const more = r.properties.length > 3 ? `, +${r.properties.length - 3} more` : '';
  return `• ${inline(r.name)} (${slackEscape(r.type)}) ${slackEscape(r.op)}${props.length ? `: ${props.join(', ')}${more}` : ''}`;
}

function section(r: DriftReport, alert: AlertKind | undefined): string {
  const lines = [`*${slackEscape(r.name)}*: ${alert ? alertVerb[alert] : verb[r.status === 'succeeded' ? r.action : 'failed']}`];
  if (r.blockedReason) lines.push(`_${slackEscape(r.blockedReason)}_`);
  if (r.error) lines.push(`${inline(r.error.code)} ${slackEscape(r.error.message.split('\n')[0] ?? '')}`);
  const resources = [...r.drifted, ...r.deleted];
  lines.push(...resources.slice(0, maxResources).map(resourceLine));
  if (resources.length > maxResources) lines.push(`…and ${resources.length - maxResources} more resources`);
  const text = lines.join('\n');
  return text.length <= maxSectionChars ? text : `${text.slice(0, maxSectionChars - 1)}…`;
}

/**
 * The Slack message of a drift run, or undefined when no stack needs attention. With `alerts`
 * (from the drift history), only the stacks whose drift is new, changed or resolved are named,
 * so the same drift is announced once. Pure; the caller passes reports already redacted
 * (`redactDeep`): this escapes and cuts them.
 */
export function driftSlackPayload(
  reports: readonly DriftReport[],
  meta: DriftRunMeta,
  alerts?: ReadonlyMap<string, AlertKind>,
): SlackPayload | undefined {
  const notable = alerts ? reports.filter((r) => alerts.has(r.name)) : reports.filter(needsAttention);
  if (notable.length === 0) return undefined;
  const resolved = notable.filter((r) => alerts?.get(r.name) === 'resolved').length;
  const drifted = notable.filter((r) => r.action === 'reported' || r.action === 'blocked').length;
  const failed = notable.filter((r) => r.status !== 'succeeded' || r.action === 'failed').length;
  const remediated = notable.filter((r) => r.action === 'remediated').length;
  const parts = [
    drifted ? `drift left on ${drifted}` : '',
    remediated ? `remediated ${remediated}` : '',
    resolved ? `resolved on ${resolved}` : '',
    failed ? `check failed on ${failed}` : '',
  ].filter(Boolean);
  const title = `Pulumi GitOps drift: ${parts.join(', ')} of ${reports.length} stack${reports.length === 1 ? '' : 's'}`;
  const names = notable.map((r) => r.name).join(', ');
  const context = [
    `checked ${meta.time.toISOString()}`,
    meta.commit ? `commit ${inline(meta.commit.slice(0, 12))}` : '',
    meta.pipelineUrl
      ? `<${meta.pipelineUrl}|${meta.pipelineUrl.includes('/jobs/') || meta.pipelineUrl.includes('/job/') ? 'CI job' : 'pipeline'}>`
      : '',
  ].filter(Boolean);
  const sections = notable
    .slice(0, maxSections)
    .map((r) => ({ type: 'section', text: { type: 'mrkdwn', text: section(r, alerts?.get(r.name)) } }) as const);
  const cut =
    notable.length > maxSections
      ? [{ type: 'section', text: { type: 'mrkdwn', text: `…and ${notable.length - maxSections} more stacks: see the job log` } } as const]
      : [];
  return {
    text: `${title}: ${names}`.slice(0, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150) } },
      ...sections,
      ...cut,
      { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
    ],
  };
}
