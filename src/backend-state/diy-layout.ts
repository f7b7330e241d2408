import type { ListedObject } from './state-objects.js';

/** A stack as Pulumi's DIY backend files it: project and stack name. */
export interface StackRef {
  project: string;
  stack: string;
}

/**
 * Where Pulumi's DIY backend (3.248) keeps a stack's objects. Layout version 1 (the default for
 * a new store, `.pulumi/meta.yaml` says `version: 1`) files them by project; a store of version
 * 0 (no meta file, from before projects were scoped) by stack name alone.
 */
export interface StackKeys {
  /** The state file without its compression suffix: `.pulumi/stacks/<project>/<stack>.json`. */
  state: string;
  /** The stack's tags: `<state without .json>.pulumi-tags`. */
  tags: string;
  /** Its update history: `<stack>-<unix nanos>.history.json[.gz|.zst]` and `.checkpoint.json` copies. */
  historyDir: string;
  /** Pulumi's lock files: `<lock id>.json`, one per runner holding it. */
  lockDir: string;
}

/** The keys of one stack under a store of layout `version`. */
export function stackKeys(ref: StackRef, version: number): StackKeys {
  const scoped = version >= 1;
  const base = scoped ? `.pulumi/stacks/${ref.project}/${ref.stack}` : `.pulumi/stacks/${ref.stack}`;
  return {
    state: `${base}.json`,
    tags: `${base}.pulumi-tags`,
    historyDir: scoped ? `.pulumi/history/${ref.project}/${ref.stack}/` : `.pulumi/history/${ref.stack}/`,
    lockDir: scoped ? `.pulumi/locks/organization/${ref.project}/${ref.stack}/` : `.pulumi/locks/${ref.stack}/`,
  };
}

/** The layout version in `.pulumi/meta.yaml` (`version: N`); 0 when there is none, as for Pulumi. */
export function layoutVersion(meta: string | undefined): number {
  if (meta === undefined) return 0;
  const m = /^version:\s*(\d+)\s*$/m.exec(meta);
  if (!m) throw new Error('.pulumi/meta.yaml has no version');
  return Number(m[1]);
}

/** The compression suffixes Pulumi may give a state or history file. */
export const compressions = ['', '.gz', '.zst'] as const;

/**
 * The state file of a stack among the listed objects: of `.json`, `.json.gz` and `.json.zst`, the
 * newest, as Pulumi picks it; undefined when the stack has none (never created, or removed).
 */
export async function stateFileOf(
  keys: StackKeys,
  listed: ReadonlyMap<string, ListedObject>,
  modifiedAt: (o: ListedObject) => Promise<number>,
): Promise<ListedObject | undefined> {
  const found = compressions.flatMap((ext) => listed.get(keys.state + ext) ?? []);
  if (found.length <= 1) return found[0];
  const times = await Promise.all(found.map(modifiedAt));
  return found.reduce((best, o, i) => (times[i]! >= times[found.indexOf(best)]! ? o : best));
}

/** Keys grouped by their folder (up to the last `/`): each stack's history and locks found without scanning all. */
export function byFolder(keys: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of keys) {
    const dir = k.slice(0, k.lastIndexOf('/') + 1);
    const list = out.get(dir);
    if (list) list.push(k);
    else out.set(dir, [k]);
  }
  return out;
}

/** The stack's update records, newest first (file names sort by their timestamp, as Pulumi relies on). */
export function historyFilesOf(inFolder: readonly string[]): string[] {
  return inFolder
    .filter((k) => /\.history\.json(\.gz|\.zst)?$/.test(k))
    .sort()
    .reverse();
}
