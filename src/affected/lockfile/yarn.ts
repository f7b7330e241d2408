import { parse } from 'yaml';
import { addCopy, dependencyNames, type LockedPackages, splitNameAt } from './model.js';

const unquote = (s: string) => s.trim().replace(/^"(.*)"$/, '$1');

/** The package name of the first descriptor of an entry key (`"a@^1", a@^1.2` -> `a`). */
function nameOfEntry(key: string): string | undefined {
  const first = unquote(key.split(',')[0]!);
  return splitNameAt(first)?.name;
}

/** Yarn 1's own format: entries at column 0, fields indented by two, dependencies by four. */
function readClassic(source: string): LockedPackages {
  const packages: LockedPackages = new Map();
  let current: { name: string; version: string; integrity: string; resolved: string; dependencies: string[] } | undefined;
  let section = '';
  const flush = () => {
    if (current)
      addCopy(packages, current.name, {
        version: current.version,
        integrity: current.integrity || current.resolved,
        dependencies: current.dependencies,
      });
    current = undefined;
  };
  source.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const indent = line.length - line.trimStart().length;
    const body = line.trim();
    if (indent === 0) {
      flush();
      const name = body.endsWith(':') ? nameOfEntry(body.slice(0, -1)) : undefined;
      if (!name) throw new Error(`line ${i + 1}: not a yarn.lock entry: ${body.slice(0, 80)}`);
      current = { name, version: '', integrity: '', resolved: '', dependencies: [] };
      return;
    }
    if (!current) throw new Error(`line ${i + 1}: indented line outside an entry`);
    if (indent <= 2) {
      section = body.endsWith(':') ? body.slice(0, -1) : '';
      const [key, ...rest] = body.split(/\s+/);
      const value = unquote(rest.join(' '));
      if (key === 'version') current.version = value;
      else if (key === 'integrity') current.integrity = value;
      else if (key === 'resolved') current.resolved = value;
      return;
    }
    if (section === 'dependencies' || section === 'optionalDependencies') {
      const name = unquote(body.match(/^("[^"]+"|\S+)/)![1]!);
      current.dependencies.push(name);
    }
  });
  flush();
  return packages;
}

interface BerryEntry {
  version?: unknown;
  resolution?: unknown;
  checksum?: unknown;
  dependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

/** Yarn 2+ (berry): YAML with a `__metadata` entry; workspace entries are links, left out. */
function readBerry(source: string): LockedPackages {
  const doc = parse(source) as Record<string, BerryEntry> | null;
  if (!doc || typeof doc !== 'object') throw new Error('not a YAML map');
  const packages: LockedPackages = new Map();
  for (const [key, entry] of Object.entries(doc)) {
    if (key === '__metadata' || !entry || typeof entry !== 'object') continue;
    const resolution = typeof entry.resolution === 'string' ? entry.resolution : '';
    if (resolution.includes('@workspace:')) continue;
    const name = nameOfEntry(key);
    if (!name) continue;
    addCopy(packages, name, {
      version: String(entry.version ?? ''),
      integrity: typeof entry.checksum === 'string' ? entry.checksum : resolution,
      dependencies: dependencyNames(entry.dependencies, entry.optionalDependencies, entry.peerDependencies),
    });
  }
  return packages;
}

/** Reads `yarn.lock`: Yarn 1's format, or Yarn 2+'s YAML (told by its `__metadata` entry). */
export function readYarnLockfile(source: string): LockedPackages {
  return /^__metadata:/m.test(source) ? readBerry(source) : readClassic(source);
}
