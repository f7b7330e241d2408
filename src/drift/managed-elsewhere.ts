import { pulumiPath, splitPath } from '../engine/managed-fields.js';
import type { PropertyChange, ResourceChange, StackResult } from '../engine/result.js';
import type { IgnoreChangesRule } from '../program-host/ignore-changes.js';
import type { PathSegment } from '../stacks/ignore-rules.js';
import {
  flatPath,
  type IgnorePathRule,
  parseIgnorePath,
  parseRulePath,
  pathMatches,
  prefixOf,
  rulePulumiPath,
  typeMatches,
} from '../stacks/ignore-rules.js';
import type { StackDefinition } from '../stacks/schema.js';

/**
 * Drift in fields someone else is meant to manage (`drift.ignoreManagers`, `drift.ignorePaths`):
 * reported as "managed elsewhere", not counted as drift, and left alone by remediation. Pure.
 */
export type DriftOwnership = Pick<StackDefinition['drift'], 'ignoreManagers' | 'ignorePaths'>;

function segmentsOf(p: PropertyChange): PathSegment[] {
  return p.segments ?? splitPath(p.path, []);
}

/**
 * Why a drifted property is managed elsewhere, or undefined when it is drift: it matches an
 * ignored path, or every field manager that owns it (other than Pulumi's own) is an ignored one.
 * A field with no known owner, or with any owner not on the list (a person with `kubectl`), stays
 * drift: an ignored controller never hides someone else's change to the same field.
 */
export function managedElsewhereReason(
  resource: Pick<ResourceChange, 'type'>,
  property: PropertyChange,
  ownership: DriftOwnership,
  rules: readonly IgnorePathRule[] = (ownership.ignorePaths ?? []).map(parseIgnorePath),
): string | undefined {
  const segments = segmentsOf(property);
  const rule = rules.find((r) => typeMatches(r.type, resource.type) && pathMatches(r.path, segments));
  if (rule) return `path ${rule.text}`;
  const managers = property.managers ?? [];
  const ignored = new Set(ownership.ignoreManagers ?? []);
  if (managers.length > 0 && managers.every((m) => ignored.has(m))) return `manager ${managers.join(', ')}`;
  return undefined;
}

/** Drifted resources split into drift proper and the fields managed elsewhere (each property marked with why). */
export function splitManagedElsewhere(
  resources: readonly ResourceChange[],
  ownership: DriftOwnership,
): { drifted: ResourceChange[]; managedElsewhere: ResourceChange[] } {
  const rules = (ownership.ignorePaths ?? []).map(parseIgnorePath);
  const drifted: ResourceChange[] = [];
  const managedElsewhere: ResourceChange[] = [];
  for (const r of resources) {
    const marked = r.properties.map((p) => {
      const why = managedElsewhereReason(r, p, ownership, rules);
      return why ? { ...p, managedElsewhere: why } : p;
    });
    const own = marked.filter((p) => !p.managedElsewhere);
    const elsewhere = marked.filter((p) => p.managedElsewhere);
    if (own.length > 0) drifted.push({ ...r, properties: own, changedProperties: topLevel(own) });
    if (elsewhere.length > 0) managedElsewhere.push({ ...r, properties: elsewhere, changedProperties: topLevel(elsewhere) });
  }
  return { drifted, managedElsewhere };
}

function topLevel(properties: readonly PropertyChange[]): string[] {
  return [...new Set(properties.map((p) => String(segmentsOf(p)[0] ?? p.path)))].sort();
}

/**
 * What remediation must not touch, as `ignoreChanges` rules for the program transform:
 *
 * - each drifted field found managed elsewhere, on its resource;
 * - every field of a refreshed Kubernetes object whose owners (other than Pulumi) are all ignored
 *   managers, drifted now or not: once remediation left such a field alone, the state no longer
 *   holds Git's value for it, so it is no longer drift, yet an `up` would apply Git's value again;
 * - every `ignorePaths` entry, on every resource of its type.
 */
export function remediationIgnores(
  refreshed: readonly ResourceChange[],
  managedElsewhere: readonly ResourceChange[],
  ownership: DriftOwnership,
): IgnoreChangesRule[] {
  const rules: IgnoreChangesRule[] = [];
  for (const r of managedElsewhere) {
    for (const p of r.properties)
      rules.push({ type: r.type, name: r.name, paths: [pulumiPath(segmentsOf(p))], reason: p.managedElsewhere });
  }
  const ignored = new Set(ownership.ignoreManagers ?? []);
  for (const r of refreshed) {
    for (const f of r.foreignFields ?? []) {
      if (f.managers.length === 0 || !f.managers.every((m) => ignored.has(m))) continue;
      rules.push({ type: r.type, name: r.name, paths: [pulumiPath(f.path)], reason: `manager ${f.managers.join(', ')}` });
    }
  }
  for (const rule of (ownership.ignorePaths ?? []).map(parseIgnorePath)) {
    rules.push({ type: rule.type, paths: [rulePulumiPath(rule.path)], reason: `path ${rule.text}` });
  }
  // One rule per resource and path: a drifted field is usually also a field the manager owns.
  const seen = new Set<string>();
  return rules.filter((x) => {
    const key = JSON.stringify([x.type, x.name, x.paths]);
    return !seen.has(key) && seen.add(key);
  });
}

/**
 * True when one path is a prefix of the other (a rule's `*` matching anything). Paths are also
 * compared in flat form, since a key with dots may be split in one and whole in the other.
 */
function overlaps(a: readonly (PathSegment | { any: true })[], b: readonly PathSegment[]): boolean {
  const n = Math.min(a.length, b.length);
  let same = true;
  for (let i = 0; i < n && same; i++) {
    const x = a[i]!;
    if (typeof x !== 'object' && x !== b[i]) same = false;
  }
  if (same || a.some((x) => typeof x === 'object')) return same;
  const [fa, fb] = [flatPath(a), flatPath(b)];
  return prefixOf(fa, fb) || prefixOf(fb, fa);
}

/**
 * Fail-closed check of the remediation preview against the rules the transform applied: the
 * change it would still make to a field managed elsewhere, or undefined. With `ignoreChanges` in
 * place there is none; if there is one anyway, remediation must not run, or it would revert the
 * other manager's value and start a fight.
 */
export function revertsManagedElsewhere(preview: Pick<StackResult, 'resources'>, rules: readonly IgnoreChangesRule[]): string | undefined {
  for (const r of preview.resources) {
    if (r.op !== 'update' && r.op !== 'replace') continue;
    const mine = rules.filter((x) => (x.name === undefined || x.name === r.name) && typeMatches(x.type, r.type));
    for (const p of r.properties) {
      const path = splitPath(p.path, []);
      const rule = mine.find((x) => x.paths.some((rp) => overlaps(parseRulePath(rp), path)));
      if (rule) return `would revert ${r.name} ${p.path}, which is managed elsewhere (${rule.reason ?? 'drift.ignorePaths'})`;
    }
  }
  return undefined;
}
