import { describe, expect, it } from 'vitest';
import { isConnectFailure, isIdempotent, nextDelay, type RetryPolicy, retryAfterMs, retryable } from '../../src/forge/retry-policy.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 30_000, maxTotalMs: 60_000 };
const now = Date.parse('2026-11-27T12:00:00Z');
const at = (attempt: number, extra: Partial<{ idempotent: boolean; elapsedMs: number; random: () => number }> = {}) => ({
  attempt,
  elapsedMs: 0,
  idempotent: true,
  now,
  random: () => 0.5,
  ...extra,
});

describe('which failures are retried', () => {
  it('retries idempotent methods on 5xx, 429, 408 and network failures', () => {
    for (const status of [500, 502, 503, 504, 429, 408]) expect(retryable({ status }, true)).toBe(true);
    expect(retryable({ network: true, connectFailed: false }, true)).toBe(true);
  });

  it('never retries answers a retry cannot change', () => {
    for (const status of [400, 401, 403, 404, 409, 422, 501]) expect(retryable({ status }, true)).toBe(false);
  });

  it('retries a POST only when it was surely not processed: 429, or no connection made', () => {
    expect(retryable({ status: 429 }, false)).toBe(true);
    expect(retryable({ network: true, connectFailed: true }, false)).toBe(true);
    for (const status of [500, 502, 503, 504, 408]) expect(retryable({ status }, false)).toBe(false);
    // A reset or a timeout after sending: the note may exist.
    expect(retryable({ network: true, connectFailed: false }, false)).toBe(false);
  });

  it('knows the idempotent methods and connection failures', () => {
    expect(['GET', 'put', 'DELETE', 'HEAD'].every(isIdempotent)).toBe(true);
    expect(['POST', 'PATCH'].some(isIdempotent)).toBe(false);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(isConnectFailure(new TypeError('fetch failed', { cause: refused }))).toBe(true);
    expect(isConnectFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(false);
  });
});

describe('how long to wait', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter: half fixed, half random', () => {
    expect(nextDelay(policy, { status: 503 }, at(1, { random: () => 0 }))).toBe(500);
    expect(nextDelay(policy, { status: 503 }, at(1, { random: () => 1 }))).toBe(1000);
    expect(nextDelay(policy, { status: 503 }, at(2))).toBe(1500);
    expect(nextDelay(policy, { status: 503 }, at(3))).toBe(3000);
  });

  it('honours Retry-After instead of the backoff', () => {
    expect(nextDelay(policy, { status: 429, retryAfter: '7' }, at(1))).toBe(7000);
    expect(nextDelay(policy, { status: 503, retryAfter: '2' }, at(1))).toBe(2000);
  });

  it('gives up after the last attempt, past the total budget, or when told to wait too long', () => {
    expect(nextDelay(policy, { status: 503 }, at(4))).toBeUndefined();
    expect(nextDelay(policy, { status: 503 }, at(2, { elapsedMs: 59_500 }))).toBeUndefined();
    expect(nextDelay(policy, { status: 429, retryAfter: '3600' }, at(1))).toBeUndefined();
    expect(nextDelay(policy, { status: 502 }, at(1, { idempotent: false }))).toBeUndefined();
  });
});
