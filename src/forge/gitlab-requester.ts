import {
  createRequesterFn,
  GitbeakerRequestError,
  GitbeakerTimeoutError,
  getMatchingRateLimiter,
  type OptionsHandlerFn,
  type RequesterType,
  type RequestHandlerFn,
  type ResourceOptions,
} from '@gitbeaker/requester-utils';
import {
  type AttemptFailure,
  forgeRetryPolicy,
  isConnectFailure,
  isIdempotent,
  nextDelay,
  type RetryPolicy,
  sleep,
} from './retry-policy.js';

/*
 * gitbeaker 43.8's own request handler retries 429 and 502 ten times within about 255 ms,
 * ignores Retry-After, and retries POSTs too: a note whose POST got a 502 from a proxy after
 * GitLab created it is posted again. This requester replaces it (gitbeaker takes a
 * `requesterFn` option) with the same request and response handling, and {@link nextDelay}
 * deciding retries: idempotent methods on 5xx/429/408/network errors, POSTs only on 429 or a
 * connection never made, with backoff and jitter, Retry-After honoured, within a total budget.
 */

/** Commit statuses are last-writer-wins per name, so repeating one is harmless: their POST counts as idempotent. */
const idempotentPost = /\/statuses\/[^/]+$/;

interface HandlerOptions {
  method?: string;
  prefixUrl?: string;
  searchParams?: string;
  asStream?: boolean;
  signal?: AbortSignal;
  body?: BodyInit;
  headers?: Record<string, string>;
  rateLimiters?: Record<string, unknown>;
  agent?: unknown;
}

/** One retry, as reported to `onRetry` (for tests and logs). */
export interface RetryNotice {
  method: string;
  endpoint: string;
  failure: AttemptFailure;
  delayMs: number;
}

async function parseResponse(response: Response, asStream: boolean) {
  const headers = Object.fromEntries(response.headers.entries());
  if (asStream) return { body: response.body, headers, status: response.status };
  if (response.status === 204) return { body: null, headers, status: response.status };
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const body =
    type === 'application/json'
      ? ((await response.json()) ?? {})
      : type.startsWith('text/')
        ? await response.text()
        : await response.blob();
  return { body, headers, status: response.status };
}

/** The error gitbeaker itself throws, so callers read `cause.response.status` and `cause.description` as before. */
async function requestError(request: Request, response: Response): Promise<GitbeakerRequestError> {
  const content = await response.text();
  let description: string = content;
  if (response.headers.get('content-type')?.includes('application/json')) {
    try {
      const out = JSON.parse(content) as { error?: unknown; message?: unknown };
      const prop = out?.error || out?.message || '';
      description = typeof prop === 'string' ? prop : JSON.stringify(prop);
    } catch {
      // Not JSON after all: keep the text.
    }
  }
  return new GitbeakerRequestError(description, { cause: { description, request, response } });
}

/** The query timeout spans the retries: running out while waiting reads as gitbeaker's own timeout. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch {
    throw new GitbeakerTimeoutError('Query timeout was reached');
  }
}

/** A gitbeaker `requesterFn` with our retry policy; `onRetry` hears of each retry before its wait. */
export function gitlabRequester(policy: RetryPolicy = forgeRetryPolicy, onRetry?: (notice: RetryNotice) => void) {
  const handler = async (endpoint: string, options: HandlerOptions = {}) => {
    const { rateLimiters, agent, asStream = false, prefixUrl, searchParams, method = 'GET', ...init } = options;
    const rateLimit = getMatchingRateLimiter(endpoint, rateLimiters as never, method);
    const url = new URL(endpoint, prefixUrl ? (prefixUrl.endsWith('/') ? prefixUrl : `${prefixUrl}/`) : undefined);
    url.search = searchParams ?? '';
    const idempotent = isIdempotent(method) || (method === 'POST' && idempotentPost.test(url.pathname));
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const request = new Request(url, { ...init, method });
      await rateLimit();
      let failure: AttemptFailure;
      let response: Response | undefined;
      try {
        response = await fetch(request, agent ? ({ dispatcher: agent } as RequestInit) : undefined);
      } catch (err) {
        const e = err as Error;
        if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new GitbeakerTimeoutError('Query timeout was reached');
        failure = { network: true, connectFailed: isConnectFailure(e) };
        const delayMs = nextDelay(policy, failure, { attempt, elapsedMs: Date.now() - started, idempotent });
        if (delayMs === undefined) throw err;
        onRetry?.({ method, endpoint, failure, delayMs });
        await pause(delayMs, init.signal);
        continue;
      }
      if (response.ok) return parseResponse(response, asStream);
      failure = { status: response.status, retryAfter: response.headers.get('retry-after') };
      const delayMs = nextDelay(policy, failure, { attempt, elapsedMs: Date.now() - started, idempotent });
      if (delayMs === undefined) throw await requestError(request, response);
      // Free the connection: the body of a failed attempt is not read.
      await response.body?.cancel().catch(() => undefined);
      onRetry?.({ method, endpoint, failure, delayMs });
      await pause(delayMs, init.signal);
    }
  };
  // The options handler passes gitbeaker's prepared request options through, as @gitbeaker/rest's does.
  const passThrough: OptionsHandlerFn = (_, reqo) => Promise.resolve(reqo);
  return createRequesterFn(passThrough, handler as RequestHandlerFn) as (options: ResourceOptions) => RequesterType;
}
