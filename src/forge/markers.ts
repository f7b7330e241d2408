import { GitopsError } from '../errors/gitops-error.js';
import { type ForgePlatform, maxBodyChars, platformName } from './forge.js';

/*
 * A hidden HTML comment on the first line of a body marks the comments and issues we own,
 * so we find them again instead of posting duplicates. Only a body that STARTS with the
 * marker counts: a person quoting our comment ("> <!-- gitops:... -->") does not.
 */

// `--` and `>` would end the HTML comment early and show the rest of the marker.
const keyPattern = /^[A-Za-z0-9_.:/@+=-]+$/;

/** The hidden marker for `key`, e.g. `<!-- gitops:drift:prod -->`. */
export function markerFor(key: string): string {
  if (!keyPattern.test(key) || key.includes('--')) {
    throw new GitopsError({
      code: 'FORGE_ERROR',
      kind: 'internal',
      message: `invalid forge marker key ${JSON.stringify(key)}: use letters, digits and _.:/@+=- without "--"`,
    });
  }
  return `<!-- gitops:${key} -->`;
}

/** The body as posted: the marker line, then the caller's Markdown. */
export function withMarker(key: string, body: string): string {
  return `${markerFor(key)}\n${body}`;
}

/** True when `text` is a body we posted under `key`. */
export function hasMarker(text: string | null | undefined, key: string): boolean {
  if (!text) return false;
  const marker = markerFor(key);
  const start = text.trimStart();
  return start.startsWith(marker) && /^\s|^$/.test(start.slice(marker.length));
}

/** Equal as far as a reader can tell: platforms may turn `\n` into `\r\n` or trim the end. */
export function sameBody(a: string | null | undefined, b: string): boolean {
  const norm = (s: string): string => s.replace(/\r\n/g, '\n').trimEnd();
  return norm(a ?? '') === norm(b);
}

/** How many characters the caller's body may have under `key` on `platform`. */
export function bodyBudget(platform: ForgePlatform, key: string): number {
  return maxBodyChars(platform) - markerFor(key).length - 1;
}

/**
 * Refuses a body the platform would reject, before sending it: the reporter must cut it to
 * {@link bodyBudget}. JS length counts UTF-16 units, never fewer than the platform's count.
 */
export function assertFits(platform: ForgePlatform, key: string, posted: string): void {
  const limit = maxBodyChars(platform);
  if (posted.length <= limit) return;
  throw new GitopsError({
    code: 'FORGE_ERROR',
    kind: 'internal',
    message: `${platformName[platform]} body for ${key} is ${posted.length} characters; the limit is ${limit}`,
    hint: `cut the report to bodyBudget('${platform}', '${key}') = ${bodyBudget(platform, key)} characters before posting`,
  });
}

/** The oldest item whose body carries `key`'s marker (lists come oldest first). */
export function findMarked<T>(items: readonly T[], key: string, bodyOf: (item: T) => string | null | undefined): T | undefined {
  return items.find((item) => hasMarker(bodyOf(item), key));
}

/** What an upsert must do: create the marked item, leave it as it is, or update it. */
export type Upsert<T> = { action: 'create' } | { action: 'unchanged' | 'update'; item: T };

/** Pure: the upsert decision for `key` among `items`; `isCurrent` says an item needs no edit. */
export function planUpsert<T>(
  items: readonly T[],
  key: string,
  bodyOf: (item: T) => string | null | undefined,
  isCurrent: (item: T) => boolean,
): Upsert<T> {
  const item = findMarked(items, key, bodyOf);
  if (item === undefined) return { action: 'create' };
  return { action: isCurrent(item) ? 'unchanged' : 'update', item };
}
