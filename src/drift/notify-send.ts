import { type AttemptFailure, isConnectFailure, nextDelay, type RetryPolicy, sleep } from '../forge/retry-policy.js';
import { displayUrl } from './notify-targets.js';

/*
 * One notification POST, retried with exponential backoff and jitter on 5xx, 429, 408 and
 * network errors, honouring Retry-After, within a total time budget. Unlike a forge note, a
 * notification is retried after an ambiguous failure too: a repeated chat message costs less
 * than a lost drift alert, and the webhook document carries an `id` receivers can dedupe on.
 */

/** Notifications: 5 attempts within 2 minutes, 1 s first backoff. */
export const notifyRetryPolicy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, maxTotalMs: 120_000 };

export interface SendOptions {
  policy?: RetryPolicy;
  /** Per attempt; default 15 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Hears of each retry before its wait. */
  onRetry?: (failure: AttemptFailure, delayMs: number) => void;
  /** Extra request headers (e.g. an idempotency key). */
  headers?: Record<string, string>;
}

export interface SendResult {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when the server answered. */
  status?: number;
  /** Why it failed, URL shown as scheme and host only. */
  error?: string;
}

/** POSTs `payload` as JSON to `url`; never throws for HTTP or network failures, and never prints the URL whole. */
export async function sendJson(url: string, payload: unknown, options: SendOptions = {}): Promise<SendResult> {
  const policy = options.policy ?? notifyRetryPolicy;
  const body = JSON.stringify(payload);
  const started = Date.now();
  const where = displayUrl(url);
  for (let attempt = 1; ; attempt++) {
    let failure: AttemptFailure;
    let detail: string;
    try {
      const signal = options.signal
        ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? 15_000)])
        : AbortSignal.timeout(options.timeoutMs ?? 15_000);
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'pulumi-gitops', ...options.headers },
        body,
        signal,
        redirect: 'error',
      });
      const text = await response.text().catch(() => '');
      if (response.ok) return { ok: true, attempts: attempt, status: response.status };
      failure = { status: response.status, retryAfter: response.headers.get('retry-after') };
      // Slack answers e.g. 404 "no_service" or 403 "invalid_token": short, and never the URL.
      detail = `HTTP ${response.status}${text ? `: ${text.slice(0, 200).replaceAll(url, where)}` : ''}`;
    } catch (err) {
      if (options.signal?.aborted) return { ok: false, attempts: attempt, error: `POST to ${where} cancelled` };
      failure = { network: true, connectFailed: isConnectFailure(err) };
      detail = networkDetail(err).replaceAll(url, where);
    }
    const delayMs = nextDelay(policy, failure, { attempt, elapsedMs: Date.now() - started, idempotent: true });
    if (delayMs === undefined) {
      return {
        ok: false,
        attempts: attempt,
        ...('status' in failure ? { status: failure.status } : {}),
        error: `POST to ${where} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${detail}`,
      };
    }
    options.onRetry?.(failure, delayMs);
    try {
      await sleep(delayMs, options.signal);
    } catch {
      return { ok: false, attempts: attempt, error: `POST to ${where} cancelled` };
    }
  }
}

/** The most specific message of a fetch failure ("connect ECONNREFUSED 127.0.0.1:9"), not undici's "fetch failed". */
function networkDetail(err: unknown): string {
  const chain: string[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 4; e = e.cause) chain.push(e.message);
  return chain.filter((m) => m !== 'fetch failed').at(-1) ?? chain[0] ?? String(err);
}
