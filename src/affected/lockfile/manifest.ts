import type { PackageDelta } from './diff.js';

/** Sections of a package.json that name packages and the ranges wanted for them. */
const dependencySections = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * Fields that change nothing a program loads or runs: descriptions, scripts, publishing. A
 * change to any other field (`type`, `exports`, `imports`, `main`, `overrides`, `name`…) is
 * not understood here and counts as affecting every program in the folder's scope.
 */
const inertFields = new Set([
  '$schema',
  'author',
  'bugs',
  'contributors',
  'description',
  'devEngines',
  'directories',
  'engines',
  'files',
  'funding',
  'homepage',
  'keywords',
  'license',
  'maintainers',
  'packageManager',
  'peerDependenciesMeta',
  'private',
  'publishConfig',
  'repository',
  'scripts',
  'version',
  'workspaces',
]);

/** What changed between two versions of a package.json. */
export interface ManifestDiff {
  /** Packages whose wanted range changed, was added or removed, in any dependency section. */
  packages: Map<string, PackageDelta>;
  /** Other fields that changed and are not known to be inert, sorted. */
  fields: string[];
}

function parseManifest(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  const doc = JSON.parse(text) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a JSON object');
  return doc as Record<string, unknown>;
}

function ranges(doc: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const section of dependencySections) {
    const map = doc[section];
    if (!map || typeof map !== 'object') continue;
    for (const [name, range] of Object.entries(map)) {
      const prev = out.get(name);
      out.set(name, prev === undefined ? String(range) : `${prev}, ${String(range)}`);
    }
  }
  return out;
}

/** Compares two texts of a package.json (undefined: the file did not exist). Throws on text that is not JSON. */
export function diffManifest(base: string | undefined, head: string | undefined): ManifestDiff {
  const before = parseManifest(base);
  const after = parseManifest(head);
  const was = ranges(before);
  const now = ranges(after);
  const packages = new Map<string, PackageDelta>();
  for (const name of new Set([...was.keys(), ...now.keys()])) {
    if (was.get(name) !== now.get(name)) packages.set(name, { from: was.get(name) ?? '', to: now.get(name) ?? '' });
  }
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !inertFields.has(k) && !dependencySections.includes(k))
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
  return { packages, fields };
}
