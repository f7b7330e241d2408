import { noChangeOps, type PropertyChange, type ResourceChange, type StackResult } from '../engine/result.js';

/** The drift a refresh found: resources whose live properties moved, and resources deleted out of band. */
export interface FoundDrift {
  drifted: readonly ResourceChange[];
  deleted: readonly ResourceChange[];
}

/** Whether two property paths name the same field, or one holds the other (`tags` and `tags.team`). */
function samePath(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`) || a.startsWith(`${b}[`) || b.startsWith(`${a}[`);
}

/**
 * Whether a property the guard's preview would change puts back what the refresh found: a field
 * that drifted, set back to its value in the state (what deploy last applied). Values the engine
 * did not give (unknown until apply) are taken as converging; secrets compare as "[secret]".
 */
function putsBack(change: PropertyChange, found: ResourceChange): boolean {
  const drifted = found.properties.find((p) => samePath(p.path, change.path));
  if (!drifted) return false;
  if (change.new === undefined || drifted.old === undefined || change.path !== drifted.path) return true;
  return change.new === drifted.old;
}

/**
 * Remediation converges, it never changes: why the guard's preview does more than put back the
 * drift the refresh found, or undefined when it does only that. A resource the refresh did not
 * find drifted, a field that did not drift, or a drifted field set to another value than the state
 * holds means the program's inputs changed since the last deploy (a data file it reads, say), and
 * remediation would put that change live unreviewed. A resource deleted out of band is created
 * again. A secret the engine masks on both sides cannot be compared here and is not counted. Pure.
 */
export function beyondDrift(preview: StackResult, found: FoundDrift): string | undefined {
  const drifted = new Map(found.drifted.map((r) => [r.urn, r]));
  const deleted = new Set(found.deleted.map((r) => r.urn));
  const extra: string[] = [];
  for (const r of preview.resources) {
    if (noChangeOps.has(r.op) || r.type === 'pulumi:pulumi:Stack') continue;
    if (deleted.has(r.urn) && (r.op === 'create' || r.op === 'create-replacement')) continue;
    const was = drifted.get(r.urn);
    // A replacement lists the properties it carries over too; a value that reads the same on both sides
    // (a secret the engine masks as "[secret]") shows no change to judge.
    const changed = r.properties.filter((p) => p.old === undefined || p.old !== p.new);
    if (was && (r.op === 'update' || r.op === 'replace') && changed.every((p) => putsBack(p, was))) continue;
    const fields = was ? changed.filter((p) => !putsBack(p, was)).map((p) => p.path) : [];
    extra.push(`${r.op} ${r.name}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`);
  }
  if (extra.length === 0) return undefined;
  return `the program's inputs changed since the last deploy: deploy first (remediation would also ${extra.join(', ')}, which the refresh did not find drifted)`;
}
