import { GitopsError } from '../errors/gitops-error.js';
import { type ForgePlatform, platformName } from './forge.js';
import { redact, type SecretToken } from './secret.js';

/** One REST call, as named in error messages (the path never carries the token). */
export interface ApiCall {
  platform: ForgePlatform;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  path: string;
}

interface ClientError {
  message?: string;
  /** @octokit/request-error: set only when the server answered. */
  response?: {
    status?: number;
    data?: { message?: unknown; errors?: { message?: string }[] };
    headers?: Record<string, string | undefined>;
  };
  /** @gitbeaker: `cause.response` is the fetch Response; network failures chain Errors here. */
  cause?: unknown;
}

interface GitbeakerCause {
  response?: { status?: number };
  description?: unknown;
}

function statusOf(err: ClientError): number | undefined {
  // Not `err.status`: octokit reports a refused connection as status 500 with no response.
  return err.response?.status ?? (err.cause as GitbeakerCause | undefined)?.response?.status;
}

/** The HTTP status a client error carries when the server answered; undefined otherwise. */
export function httpStatusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? statusOf(err as ClientError) : undefined;
}

/** `run`'s value, or `fallback` when the server answers one of `statuses` (e.g. 404: "not a member"). */
export async function unless<T, F>(statuses: readonly number[], fallback: F, run: () => Promise<T>): Promise<T | F> {
  try {
    return await run();
  } catch (err) {
    const status = httpStatusOf(err);
    if (status !== undefined && statuses.includes(status)) return fallback;
    throw err;
  }
}

/** The server's own message if it sent one, else the error chain ("connect ECONNREFUSED 10.0.0.1:443"). */
function detailOf(err: ClientError): string {
  const fromBody = err.response?.data?.message ?? (err.cause as GitbeakerCause | undefined)?.description;
  // GitHub puts the useful part of a 422 ("body is too long ...") in `errors`.
  const details = (err.response?.data?.errors ?? []).map((e) => e.message).filter(Boolean);
  if (typeof fromBody === 'string' && fromBody) return [fromBody, ...details].join(': ');
  if (fromBody !== undefined && fromBody !== '' && fromBody !== null) return JSON.stringify(fromBody);
  const chain: string[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 4; e = e.cause) {
    if (!chain.includes(e.message)) chain.push(e.message);
  }
  // undici's "fetch failed" says less than the socket error under it.
  const specific = chain.filter((m) => m !== 'fetch failed');
  return (specific.length > 0 ? specific : chain).join(': ') || String(err);
}

const hints: Record<number, (tokenVariable: string) => string> = {
  401: (v) => `the token in ${v} was rejected: check it is set, unexpired and not revoked`,
  403: (v) =>
    `the token in ${v} lacks a role or permission this call needs (docs/setup-github.md and docs/setup-gitlab.md list each job's)`,
  404: (v) => `check the project and the merge request or issue number; a token without access to the project also gets 404 (${v})`,
};

/**
 * A failed API call as a FORGE_ERROR naming the method, path and status. Rejected
 * credentials, permissions and unknown objects are the user's to fix; the rest is external.
 * The client's own error is not kept as cause: it holds the request, headers included.
 */
export function forgeHttpError(call: ApiCall, err: unknown, token: SecretToken, tokenVariable: string): GitopsError {
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as ClientError;
  const status = statusOf(e);
  const detail = redact(detailOf(e), token);
  const what = `${platformName[call.platform]} API ${call.method} ${call.path}`;
  // GitHub names what an endpoint needs in every answer to an App or fine-grained token.
  const accepted = e.response?.headers?.['x-accepted-github-permissions'];
  return new GitopsError({
    code: 'FORGE_ERROR',
    kind: status !== undefined && status in hints ? 'user' : 'external',
    message: status === undefined ? `${what} failed: ${detail}` : `${what} failed: HTTP ${status}: ${detail}`,
    hint:
      status === 403 && accepted
        ? `the token in ${tokenVariable} needs the permission ${accepted} for this call`
        : status !== undefined
          ? hints[status]?.(tokenVariable)
          : undefined,
    cause: new Error(detail),
  });
}

/** Runs one client call, turning its failure into {@link forgeHttpError}. */
export async function apiCall<T>(call: ApiCall, token: SecretToken, tokenVariable: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw forgeHttpError(call, err, token, tokenVariable);
  }
}
