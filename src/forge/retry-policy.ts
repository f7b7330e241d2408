/*
 * When a failed HTTP call to a forge or a notification target may be sent again, and after how
 * long. Pure: the callers (the GitLab requester, the webhook sender) do the waiting.
 *
 * A request that may have been processed is never repeated blindly: a POST that got a 502 or
 * timed out may have created the note, so it is retried only when the server says it did not
 * process it (429, rate limited) or when the connection was never made. Idempotent methods
 * (GET, PUT, DELETE, HEAD) are retried on 5xx, 429, 408 and network failures.
 */

/** Bounds of a retry loop. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The first backoff; it doubles per attempt (before jitter). */
  baseDelayMs: number;
  /** No single wait is longer, Retry-After included: a longer Retry-After gives up instead. */
  maxDelayMs: number;
  /** No retry starts after this much time since the first attempt. */
  maxTotalMs: number;
}

/** Forge API calls: 4 attempts within 60 s. */
export const forgeRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 30_000, maxTotalMs: 60_000 };

/** What a failed attempt gave: an HTTP status (with its Retry-After header), or a network failure. */
export type AttemptFailure =
  | { status: number; retryAfter?: string | null }
  /** `connectFailed`: the connection was never made (ECONNREFUSED, DNS), so nothing was sent. */
  | { network: true; connectFailed: boolean };

/** Node's errors for a connection that was never made: the request did not reach the server. */
const connectCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** True when `err` (or a cause of it, as undici chains them) says the connection was never made. */
export function isConnectFailure(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && connectCodes.has(code)) return true;
  }
  return false;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** True for methods that may be repeated without a second effect (RFC 9110 §9.2.2). */
export function isIdempotent(method: string): boolean {
  return idempotentMethods.has(method.toUpperCase());
}

/**
 * Retry-After as milliseconds from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** True when the failure may be retried for a request that is (or is not) idempotent. */
export function retryable(failure: AttemptFailure, idempotent: boolean): boolean {
  if ('network' in failure) return idempotent || failure.connectFailed;
  // 429: rate limited before processing, so even a POST is safe to send again.
  if (failure.status === 429) return true;
  if (!idempotent) return false;
  return failure.status === 408 || (failure.status >= 500 && failure.status !== 501);
}

/**
 * How long to wait before the next attempt, or undefined to give up. `attempt` counts the
 * attempts made so far (1 after the first). A Retry-After is honoured as given (at least the
 * backoff's floor); otherwise exponential backoff with jitter: half fixed, half random, so
 * parallel clients spread out. Gives up when the wait would pass `maxDelayMs` or the total budget.
 */
export function nextDelay(
  policy: RetryPolicy,
  failure: AttemptFailure,
  options: { attempt: number; elapsedMs: number; idempotent: boolean; now?: number; random?: () => number },
): number | undefined {
  if (options.attempt >= policy.maxAttempts || !retryable(failure, options.idempotent)) return undefined;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (options.attempt - 1));
  const jittered = exp / 2 + (options.random ?? Math.random)() * (exp / 2);
  const told = 'status' in failure ? retryAfterMs(failure.retryAfter, options.now ?? Date.now()) : undefined;
  const delay = told === undefined ? jittered : Math.max(told, policy.baseDelayMs / 2);
  if (delay > policy.maxDelayMs || options.elapsedMs + delay > policy.maxTotalMs) return undefined;
  return Math.round(delay);
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
