import type { AlertKind, DriftReport } from '../api/drift-report.js';
import type { RetryPolicy } from '../forge/retry-policy.js';
import { redactDeep } from '../secrets/redact-deep.js';
import { type SendResult, sendJson } from './notify-send.js';
import { describeTarget, type NotifyTarget } from './notify-targets.js';
import { driftSlackPayload } from './slack-payload.js';
import { type DriftRunMeta, driftWebhookPayload } from './webhook-payload.js';

/** What a Slack or webhook target got. */
export interface ChannelOutcome {
  /** `slack https://hooks.slack.com`: scheme and host only. */
  target: string;
  /** false when nothing needed saying (Slack, every stack clean). */
  sent: boolean;
  ok: boolean;
  attempts: number;
  error?: string;
}

export interface ChannelOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  /** Hears of each retry, for the operator. */
  onRetry?: (target: string, delayMs: number) => void;
  send?: typeof sendJson;
  /** From the drift history: the stacks to alert on, and why. Without it, every notable stack is sent on every run. */
  alerts?: ReadonlyMap<string, AlertKind>;
}

/**
 * Sends a drift run to each Slack and webhook target, one after another. With the drift history
 * (`options.alerts`), both hear only of stacks whose drift is new, changed, resolved or
 * remediated, or whose check started failing: the same drift is announced once. Without it,
 * Slack hears when a stack needs attention and a webhook gets every run. A target that fails
 * does not stop the others; the outcomes say which failed.
 */
export async function notifyChannels(
  reports: readonly DriftReport[],
  targets: readonly NotifyTarget[],
  meta: DriftRunMeta,
  redact: (text: string) => string,
  options: ChannelOptions = {},
): Promise<ChannelOutcome[]> {
  const send = options.send ?? sendJson;
  const outcomes: ChannelOutcome[] = [];
  const redactedMeta: DriftRunMeta = { ...redactDeep({ commit: meta.commit, pipelineUrl: meta.pipelineUrl }, redact), time: meta.time };
  for (const t of targets) {
    if (t.kind === 'issue') continue;
    const target = describeTarget(t);
    // Redacted before Slack's escaping and cutting: an escaped or cut secret would no longer match.
    const webhook = t.kind === 'webhook' ? driftWebhookPayload(reports, redactedMeta, redact, options.alerts) : undefined;
    const payload = t.kind === 'webhook' ? webhook : driftSlackPayload(redactDeep(reports, redact), redactedMeta, options.alerts);
    if (payload === undefined) {
      outcomes.push({ target, sent: false, ok: true, attempts: 0 });
      continue;
    }
    const result: SendResult = await send(t.url, payload, {
      policy: options.policy,
      signal: options.signal,
      onRetry: (_, delayMs) => options.onRetry?.(target, delayMs),
      ...(webhook ? { headers: { 'idempotency-key': webhook.id } } : {}),
    });
    outcomes.push({ target, sent: true, ok: result.ok, attempts: result.attempts, ...(result.error ? { error: result.error } : {}) });
  }
  return outcomes;
}
