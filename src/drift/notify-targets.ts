import { userError } from '../errors/gitops-error.js';

/*
 * `--notify` targets. Bare `--notify` (or `--notify issue`) keeps one forge issue per drifted
 * stack; `slack=URL` posts to a Slack incoming webhook (or anything that takes Slack's payload);
 * `webhook=URL` posts the generic JSON document. `slack=env:NAME` reads the URL from the
 * environment variable NAME, keeping it out of argv. URLs carry tokens: only their scheme and
 * host are ever printed.
 */

export type NotifyTarget = { kind: 'issue' } | { kind: 'slack' | 'webhook'; url: string };

/** `https://hooks.slack.com`: what may be printed of a webhook URL (its path and query carry the token). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(not a URL)';
  }
}

/** `slack https://hooks.slack.com`, for messages. */
export function describeTarget(t: NotifyTarget): string {
  return t.kind === 'issue' ? 'forge issue' : `${t.kind} ${displayUrl(t.url)}`;
}

/** The flag value as it may be printed: the kind and the URL's scheme and host only. */
function shown(value: string): string {
  const eq = value.indexOf('=');
  if (eq < 0) return value;
  const rest = value.slice(eq + 1);
  if (rest.startsWith('env:')) return value;
  const url = displayUrl(rest);
  return `${value.slice(0, eq)}=${url === '(not a URL)' ? '…' : `${url}/…`}`;
}

function parseOne(value: string, env: Readonly<Record<string, string | undefined>>): NotifyTarget {
  const text = value.trim();
  if (text === '' || text === 'issue') return { kind: 'issue' };
  const eq = text.indexOf('=');
  const kind = eq < 0 ? text : text.slice(0, eq);
  if (kind !== 'slack' && kind !== 'webhook') {
    throw userError('USAGE', `--notify ${shown(text)}: unknown target "${kind}"; use issue, slack=URL or webhook=URL`);
  }
  let url = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (url.startsWith('env:')) {
    const name = url.slice(4);
    url = env[name]?.trim() ?? '';
    if (!url) throw userError('USAGE', `--notify ${kind}=env:${name}: the environment variable ${name} is not set`);
  }
  if (!url) throw userError('USAGE', `--notify ${kind}: give the URL, as ${kind}=https://... or ${kind}=env:VARIABLE`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw userError('USAGE', `--notify ${shown(text)}: not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw userError('USAGE', `--notify ${shown(text)}: the URL must be http or https, not ${parsed.protocol}`);
  if (parsed.username || parsed.password)
    throw userError('USAGE', `--notify ${shown(text)}: credentials in the URL are not accepted; the webhook URL's path carries its token`);
  return { kind, url };
}

/**
 * The targets of `--notify` values, validated before anything runs (exit 2 naming the value,
 * URL shown as scheme and host). undefined (no flag) gives none; bare `--notify` the forge issue.
 * A target given twice is kept once.
 */
export function parseNotifyTargets(
  values: readonly string[] | undefined,
  env: Readonly<Record<string, string | undefined>> = {},
): NotifyTarget[] {
  if (values === undefined) return [];
  const targets = (values.length === 0 ? [''] : values).map((v) => parseOne(v, env));
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = t.kind === 'issue' ? 'issue' : `${t.kind} ${t.url}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
