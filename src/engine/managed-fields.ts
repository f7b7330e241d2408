import type { PathSegment } from '../stacks/ignore-rules.js';
import type { PropertyChange } from './result.js';

/**
 * Who owns a field of a live Kubernetes object, from its `metadata.managedFields`.
 *
 * Server-side apply records, per field manager, the set of fields it owns in the `FieldsV1`
 * format: a tree whose keys are `f:<field>` (a struct or map field), `k:<json>` (an item of an
 * associative list, named by its key fields, e.g. `k:{"name":"web"}` for a container),
 * `v:<json>` (an item of a set list, named by its value), `i:<n>` (a list item by index) and
 * `.` (the node itself, without its children). A leaf (`{}`) below which a path continues is an
 * atomic field: its owner owns everything inside it.
 *
 * The Kubernetes provider keeps `metadata.managedFields` and its own manager name
 * (`__fieldManager`) in the resource outputs it reads on refresh, so drift detection finds the
 * owners in the refreshed outputs and never asks the API server itself. Pure functions.
 */

/** A FieldsV1 tree. */
export interface FieldsV1 {
  [key: string]: FieldsV1;
}

/** One `metadata.managedFields` entry. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsType?: string;
  fieldsV1?: FieldsV1;
}

/** One key of a FieldsV1 tree, parsed. */
export type FieldKey =
  | { kind: 'field'; name: string }
  | { kind: 'key'; fields: Record<string, unknown> }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number }
  | { kind: 'self' };

/** A property path as segments: object keys (strings) and list indexes (numbers). */

/** Parses one FieldsV1 key; undefined for a key of an unknown form (skipped, never guessed at). */
export function parseFieldKey(key: string): FieldKey | undefined {
  if (key === '.') return { kind: 'self' };
  const prefix = key.slice(0, 2);
  const rest = key.slice(2);
  if (prefix === 'f:') return { kind: 'field', name: rest };
  if (prefix === 'i:') return /^\d+$/.test(rest) ? { kind: 'index', index: Number(rest) } : undefined;
  if (prefix !== 'k:' && prefix !== 'v:') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (prefix === 'v:') return { kind: 'value', value: parsed };
  return isObject(parsed) ? { kind: 'key', fields: parsed } : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON equality of plain values, independent of key order. */
function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return a === b;
}

/** Whether a list-item key (`k:`, `v:`, `i:`) names `item`, the live list's element at `index`. */
function namesItem(key: FieldKey, item: unknown, index: number): boolean {
  if (key.kind === 'index') return key.index === index;
  if (key.kind === 'value') return sameValue(key.value, item);
  if (key.kind === 'key') return isObject(item) && Object.entries(key.fields).every(([k, v]) => sameValue(item[k], v));
  return false;
}

/**
 * Whether the field set `fields` owns the field at `path` of the live object `live`: the path
 * itself, a part of it (its children), or an atomic field above it. List indexes are turned into
 * the list's item keys by looking at the live item.
 */
export function ownsPath(fields: FieldsV1 | undefined, path: readonly PathSegment[], live: unknown): boolean {
  if (!isObject(fields)) return false;
  if (path.length === 0) return true;
  const keys = Object.keys(fields);
  // A leaf with the path going on below it: an atomic list or map, owned as a whole.
  if (keys.length === 0) return true;
  const [head, ...rest] = path;
  if (typeof head === 'string') {
    const child = fields[`f:${head}`];
    return child !== undefined && ownsPath(child, rest, isObject(live) ? live[head] : undefined);
  }
  const item = Array.isArray(live) ? live[head!] : undefined;
  if (item === undefined) return false;
  for (const key of keys) {
    const parsed = parseFieldKey(key);
    if (parsed && namesItem(parsed, item, head!) && ownsPath(fields[key], rest, item)) return true;
  }
  return false;
}

/** The managed-fields entries of a live object (its outputs), or none when it has no valid list. */
export function managedFieldsOf(live: unknown): ManagedFieldsEntry[] {
  const metadata = isObject(live) ? live.metadata : undefined;
  const list = isObject(metadata) ? metadata.managedFields : undefined;
  return Array.isArray(list) ? list.filter((e): e is ManagedFieldsEntry => isObject(e) && typeof e.manager === 'string') : [];
}

/**
 * The field managers that own `path` in the live object, in managedFields order, each once;
 * `exclude` (the Kubernetes provider's own manager) is left out. Only `FieldsV1` entries are
 * read: it is the only format the API server writes.
 */
export function fieldOwners(live: unknown, path: readonly PathSegment[], exclude?: string): string[] {
  const owners: string[] = [];
  for (const entry of managedFieldsOf(live)) {
    if (entry.fieldsType !== undefined && entry.fieldsType !== 'FieldsV1') continue;
    const manager = entry.manager!;
    if (manager === exclude || owners.includes(manager)) continue;
    if (ownsPath(entry.fieldsV1, path, live)) owners.push(manager);
  }
  return owners;
}

/**
 * Splits a drift path (`spec.template.spec.containers[0].image`, `metadata.labels.app.kubernetes.io/name`,
 * or Pulumi's quoted `metadata.labels["app.kubernetes.io/name"]`) into segments. Dots join the
 * parts of a path but also occur inside keys (label and annotation names), so each run of dotted
 * parts is matched, longest key first, against the keys the given objects (live, state) hold at
 * that point; a part no object holds stands alone.
 */
export function splitPath(path: string, objects: readonly unknown[]): PathSegment[] {
  const segments: PathSegment[] = [];
  let current = [...objects];
  const descend = (seg: PathSegment): void => {
    segments.push(seg);
    current = current.map((o) => (typeof seg === 'number' ? (Array.isArray(o) ? o[seg] : undefined) : isObject(o) ? o[seg] : undefined));
  };
  for (const token of tokenize(path)) {
    if (token.kind !== 'dotted') {
      descend(token.value);
      continue;
    }
    let parts = token.parts;
    while (parts.length > 0) {
      let take = 1;
      for (let n = parts.length; n > 1; n--) {
        const key = parts.slice(0, n).join('.');
        if (current.some((o) => isObject(o) && key in o)) {
          take = n;
          break;
        }
      }
      descend(parts.slice(0, take).join('.'));
      parts = parts.slice(take);
    }
  }
  return segments;
}

type Token = { kind: 'dotted'; parts: string[] } | { kind: 'exact'; value: PathSegment };

/** Path tokens: runs of dotted names (to resolve), `[n]` indexes and `["key"]` exact keys. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let dotted = '';
  const flush = (): void => {
    if (dotted) tokens.push({ kind: 'dotted', parts: dotted.split('.').filter((p) => p !== '') });
    dotted = '';
  };
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path[i + 1] === '"' ? closingQuote(path, i + 1) : path.indexOf(']', i);
      const end = path[i + 1] === '"' ? close + 1 : close;
      if (close > i && path[end] === ']') {
        const inner = path.slice(i + 1, end);
        flush();
        if (/^\d+$/.test(inner)) tokens.push({ kind: 'exact', value: Number(inner) });
        else if (inner.startsWith('"')) tokens.push({ kind: 'exact', value: JSON.parse(inner) as string });
        else tokens.push({ kind: 'exact', value: inner });
        i = end + 1;
        if (path[i] === '.') i++;
        continue;
      }
    }
    dotted += path[i];
    i++;
  }
  flush();
  return tokens;
}

/** The index of the quote closing the JSON string that opens at `open`, or -1. */
function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}

/** Renders segments as a Pulumi property path: `a.b[0]`, with `["..."]` for keys that are not plain names. */
export function pulumiPath(segments: readonly PathSegment[]): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) return i === 0 ? s : `.${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}

/**
 * Adds to refreshed (drift) property changes of a Kubernetes object their segments and the field
 * managers that own each field in the live object (`live`: the refreshed outputs, which keep
 * `metadata.managedFields` and the provider's own manager in `__fieldManager`). Properties of
 * objects without managed fields (other providers) come back unchanged.
 */
export function attributeOwners(properties: PropertyChange[], live: unknown, state?: unknown): PropertyChange[] {
  if (properties.length === 0 || managedFieldsOf(live).length === 0) return properties;
  const own = isObject(live) && typeof live.__fieldManager === 'string' ? live.__fieldManager : undefined;
  return properties.map((p) => {
    const segments = splitPath(p.path, [live, state]);
    return { ...p, segments, managers: fieldOwners(live, segments, own) };
  });
}

/** A field of the live object owned by managers other than Pulumi, with all of them. */
export interface ForeignField {
  path: PathSegment[];
  managers: string[];
}

/**
 * Every field of the live object that a manager other than the Kubernetes provider owns, each
 * with all its owners but the provider. Remediation needs these, not only the drifted fields:
 * after a field was left to another manager once, the state no longer holds Git's value for it,
 * so it is no longer seen as drift, yet an `up` would still apply Git's value.
 */
export function foreignFields(live: unknown): ForeignField[] {
  const own = isObject(live) && typeof live.__fieldManager === 'string' ? live.__fieldManager : undefined;
  const paths = new Map<string, PathSegment[]>();
  for (const entry of managedFieldsOf(live)) {
    if (entry.manager === own || (entry.fieldsType !== undefined && entry.fieldsType !== 'FieldsV1')) continue;
    for (const p of leafPaths(entry.fieldsV1, live, [])) paths.set(JSON.stringify(p), p);
  }
  return [...paths.values()].map((path) => ({ path, managers: fieldOwners(live, path, own) }));
}

/** The paths of the leaves of a field set (`{}`), list items resolved to their index in the live list. */
function leafPaths(fields: FieldsV1 | undefined, live: unknown, prefix: PathSegment[]): PathSegment[][] {
  if (!isObject(fields)) return [];
  const keys = Object.keys(fields);
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  const out: PathSegment[][] = [];
  // `.` alone owns only that the node exists (a map's presence), never its other keys: not a leaf.
  for (const key of keys) {
    const parsed = parseFieldKey(key);
    if (!parsed || parsed.kind === 'self') continue;
    if (parsed.kind === 'field') {
      out.push(...leafPaths(fields[key], isObject(live) ? live[parsed.name] : undefined, [...prefix, parsed.name]));
      continue;
    }
    const list = Array.isArray(live) ? live : [];
    const index = list.findIndex((item, i) => namesItem(parsed, item, i));
    if (index >= 0) out.push(...leafPaths(fields[key], list[index], [...prefix, index]));
  }
  return out;
}
