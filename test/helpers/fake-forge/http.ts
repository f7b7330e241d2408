/** The fake forge's HTTP plumbing: a route table, pagination, error bodies, tokens, request bodies. */
import type http from 'node:http';
import type { FakeIdentity, FakeIssue, FakePlatform, FakeProject, FaultRule } from './model.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Call {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  project: FakeProject;
  /** Who the request's token acts as. */
  actor: FakeIdentity;
  /** `http://127.0.0.1:PORT/api/vN/<path>`, for pagination links. */
  selfUrl: URL;
}

export type Handler = (call: Call) => Reply;
export interface Route {
  method: string;
  pattern: string[];
  handle: Handler;
}

/** One page of `items`, with each platform's pagination headers (GitLab: x-* and Link; GitHub: Link). */
export function page(platform: FakePlatform, items: readonly unknown[], call: Call): Reply {
  const perPage = Math.min(100, Math.max(1, Number(call.query.get('per_page')) || (platform === 'gitlab' ? 20 : 30)));
  const current = Math.max(1, Number(call.query.get('page')) || 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number) => {
    const u = new URL(call.selfUrl);
    u.searchParams.set('page', String(n));
    u.searchParams.set('per_page', String(perPage));
    return u.toString();
  };
  const rels: string[] = [];
  if (current > 1) rels.push(`<${link(current - 1)}>; rel="prev"`);
  if (current < totalPages) rels.push(`<${link(current + 1)}>; rel="next"`);
  rels.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
  const headers: Record<string, string> =
    platform === 'gitlab'
      ? {
          'x-page': String(current),
          'x-per-page': String(perPage),
          'x-total': String(items.length),
          'x-total-pages': String(totalPages),
          'x-next-page': current < totalPages ? String(current + 1) : '',
          'x-prev-page': current > 1 ? String(current - 1) : '',
          link: rels.join(', '),
        }
      : totalPages > 1
        ? { link: rels.join(', ') }
        : {};
  return { status: 200, body: items.slice((current - 1) * perPage, current * perPage), headers };
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const gitlabError = (status: number, message: unknown): Reply => ({ status, body: { message } });
export const githubError = (status: number, message: string, extra: Record<string, unknown> = {}): Reply => ({
  status,
  body: { message, documentation_url: 'https://docs.github.com/rest', ...extra },
});
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
// GitLab says `sort=asc`; GitHub says `direction=asc` (its `sort` names the field). Both default to newest first.
export const ascending = (platform: FakePlatform, q: URLSearchParams) => q.get(platform === 'gitlab' ? 'sort' : 'direction') === 'asc';

export function ordered<T extends { createdAt: string }>(items: readonly T[], asc: boolean): T[] {
  const sorted = [...items].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return asc ? sorted : sorted.reverse();
}

export function withLabels(issues: readonly FakeIssue[], q: URLSearchParams): FakeIssue[] {
  const wanted = (q.get('labels') ?? '').split(',').filter(Boolean);
  return issues.filter((i) => wanted.every((l) => i.labels.includes(l)));
}

export function faultReply(fault: FaultRule): Reply {
  return { status: fault.status, body: fault.body ?? { message: `${fault.status} injected fault` }, headers: fault.headers };
}

export function match(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}

/** Who the request's token acts as; undefined for a missing or unknown token. */
export function identityOf(
  platform: FakePlatform,
  headers: http.IncomingHttpHeaders,
  identities: Map<string, FakeIdentity>,
): FakeIdentity | undefined {
  const auth = headers.authorization ?? '';
  const bearer = /^(?:Bearer|token) (.+)$/.exec(auth)?.[1];
  const token =
    platform === 'gitlab'
      ? ((headers['private-token'] as string | undefined) ?? (auth.startsWith('Bearer ') ? bearer : undefined))
      : bearer;
  return token === undefined ? undefined : identities.get(token);
}

export async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('json')) return JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(text));
}
