import type { ChangedFile } from '../git/name-status.js';
import type { AffectedReason, Locator, LocatorHit, LocatorInput } from './model.js';
import { packageLocator } from './package-locator.js';
import { watchMatcher } from './watch-glob.js';

/**
 * Files every stack depends on: a change to any of them affects every stack. package.json and
 * the lockfiles are not among them: they are read, and affect the stacks whose programs reach
 * a changed package (see {@link packageLocator}).
 */
export const defaultRootFiles: readonly string[] = ['Pulumi.yaml', 'tsconfig.json'];

/**
 * The path below `dir` as segments, or undefined when `file` is not inside it. Matching on
 * whole segments is what keeps `programs/app` from claiming `programs/app-v2/index.ts`.
 */
export function segmentsBelow(file: string, dir: string): string[] | undefined {
  return file.startsWith(`${dir}/`) ? file.slice(dir.length + 1).split('/') : undefined;
}

/** Every path a change touches: a rename touches its old path too. */
export function touched(changes: readonly ChangedFile[]): string[] {
  return changes.flatMap((c) => (c.oldPath === undefined ? [c.path] : [c.oldPath, c.path]));
}

/**
 * The stack id of a stack file path, at any depth below the catalogue folder
 * (`stacks/web.yaml` and `stacks/team-a/web.yaml` -> `web`), or undefined. Hidden folders and
 * `node_modules` hold no stack files.
 */
export function stackIdOf(file: string, stacksDir: string): string | undefined {
  const rest = segmentsBelow(file, stacksDir);
  if (!rest || rest.slice(0, -1).some((dir) => dir.startsWith('.') || dir === 'node_modules')) return undefined;
  const base = rest[rest.length - 1]!;
  return base.endsWith('.yaml') && base !== '.yaml' ? base.slice(0, -'.yaml'.length) : undefined;
}

/** The path a change removed: a deleted file, or where a renamed one was. */
export function removedPath(change: ChangedFile): string | undefined {
  return change.status === 'D' ? change.path : change.status === 'R' ? change.oldPath : undefined;
}

/**
 * Stack files that changed. A stack file that is gone at head (deleted, renamed away, or
 * named in `--files` but absent from the catalogue) marks that stack for destruction.
 */
export const stackFileLocator: Locator = ({ changes, stacks, stacksDir }) => {
  const known = new Set(stacks.map((s) => s.name));
  const hits: LocatorHit[] = [];
  for (const c of changes) {
    const gone = removedPath(c);
    for (const file of touched([c])) {
      const id = stackIdOf(file, stacksDir);
      if (id === undefined) continue;
      const deleted = file === gone || !known.has(id);
      hits.push({ stack: id, reason: { kind: deleted ? 'deleted' : 'stack-file', path: file } });
    }
  }
  return hits;
};

/** Any file inside a program's folder affects every stack running that program. */
export const programLocator: Locator = ({ changes, stacks, programsDir }) => {
  const byProgram = new Map<string, string[]>();
  for (const s of stacks) {
    const users = byProgram.get(s.program);
    if (users) users.push(s.name);
    else byProgram.set(s.program, [s.name]);
  }
  return touched(changes).flatMap((file) => {
    const program = segmentsBelow(file, programsDir)?.[0];
    const users = program === undefined ? undefined : byProgram.get(program);
    return (users ?? []).map((stack) => ({ stack, reason: { kind: 'program' as const, path: file } }));
  });
};

/**
 * Modules a program imports from outside its own folder (shared libraries, other programs,
 * workspace packages), and files outside it that the program or those modules read.
 */
export const importLocator: Locator = ({ stacks, programsDir, importHits }) =>
  stacks.flatMap((s) =>
    (importHits.get(s.program) ?? [])
      .filter((hit) => segmentsBelow(hit.path, programsDir)?.[0] !== s.program)
      .map((hit) => ({ stack: s.name, reason: { kind: hit.kind, path: hit.path, via: hit.via } })),
  );

/** Files matching a stack's `watch` entries. */
export const watchLocator: Locator = ({ changes, stacks }) => {
  const watching = stacks.filter((s) => s.watch && s.watch.length > 0);
  if (watching.length === 0) return [];
  const files = touched(changes);
  return watching.flatMap((s) =>
    s.watch!.flatMap((pattern) => {
      const matches = watchMatcher(pattern);
      return files.filter(matches).map((file) => ({ stack: s.name, reason: { kind: 'watch' as const, path: file, pattern } }));
    }),
  );
};

/** A root file changed: when unsure, every stack is affected. */
export const rootFileLocator: Locator = ({ changes, stacks, rootFiles }) => {
  const roots = new Set(rootFiles);
  return touched(changes)
    .filter((file) => roots.has(file))
    .flatMap((file) => stacks.map((s) => ({ stack: s.name, reason: { kind: 'root-file' as const, path: file } })));
};

/** Every locator, in the order their reasons are listed. */
export const locators: readonly Locator[] = [
  stackFileLocator,
  programLocator,
  importLocator,
  watchLocator,
  rootFileLocator,
  packageLocator,
];

/** Runs every locator; the reasons found for each stack, in locator order. */
export function locateAffected(input: LocatorInput, use: readonly Locator[] = locators): Map<string, AffectedReason[]> {
  const found = new Map<string, AffectedReason[]>();
  for (const locate of use) {
    for (const hit of locate(input)) {
      const list = found.get(hit.stack);
      if (list) list.push(hit.reason);
      else found.set(hit.stack, [hit.reason]);
    }
  }
  return found;
}
