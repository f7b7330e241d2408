import type { ChangedFile } from '../git/name-status.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { ImportHit } from './import-graph.js';
import type { PackageDelta } from './lockfile/diff.js';
import type { ProgramReach } from './program-reach.js';

/** Why a stack is affected. */
export type ReasonKind =
  | 'renamed'
  | 'stack-file'
  | 'program'
  | 'import'
  | 'read'
  | 'watch'
  | 'root-file'
  /** A package the program reaches changed in a lockfile or package.json (`package`, `from`, `to`, `via`). */
  | 'package'
  /** A lockfile or package.json changed in a way that cannot be narrowed to packages (`detail` says why). */
  | 'lockfile'
  | 'dependency'
  | 'deleted'
  | 'history-missing'
  /** `deploy --since-deployed`: never deployed, or its recorded deployed commit (`commit`) is not on the default branch's history. */
  | 'undeployed';

/** One cause; a stack usually has one, a shared library change can give it several. */
export interface AffectedReason {
  kind: ReasonKind;
  /** The changed file, for every kind but `dependency` and `history-missing`. */
  path?: string;
  /** For `dependency`: the stack this one depends on, which is affected. For `renamed`: the stack's old id. */
  stack?: string;
  /**
   * For `import`: the import chain from the program's entry file to the changed file.
   * For `read`: the chain from the entry file to the file that reads the changed one.
   * For `package`: the package names from one the program imports to the changed one.
   */
  via?: readonly string[];
  /** For `watch`: the stack's `watch` entry that matched. */
  pattern?: string;
  /** For `package`: the package whose resolved version, integrity or wanted range changed. */
  package?: string;
  /** For `package`: its versions (lockfile) or ranges (package.json) before and after, '' when absent. */
  from?: string;
  to?: string;
  /** For `lockfile`: why the change affects every stack in its scope. */
  detail?: string;
  /** For `undeployed`: the recorded deployed commit that is not on the default branch's history (not trusted). */
  commit?: string;
}

/**
 * `update`: preview or deploy it (also a renamed stack, see `renamedFrom`). `destroy`: its stack
 * file is gone and its Pulumi identity is in no other stack file at head.
 */
export type AffectedAction = 'update' | 'destroy';

/** The last committed definition of a deleted stack, read at the merge-base. */
export interface PreviousDefinition {
  /** The stack file's path at the merge-base. */
  file: string;
  /** Its raw text, or undefined when it could not be read (`--files` mode). */
  text?: string;
  /** The parsed definition, when the text is still a valid stack file on its own. */
  definition?: StackDefinition;
  /** Why the text did not parse, one line per problem. */
  problems: string[];
}

/** One stack to preview or deploy (update), or to destroy. */
export interface AffectedStack {
  name: string;
  action: AffectedAction;
  /** Sorted: direct causes first (stack file, program, imports, reads, watches, root files), then dependencies. */
  reasons: AffectedReason[];
  /**
   * For `destroy`: what the stack was, so the caller can check `allowDestroy`. For a rename: its
   * definition under its old file name, the protected side its policy is read from.
   */
  previous?: PreviousDefinition;
  /** Set when the stack's file was renamed or moved and its Pulumi identity (project/stack) kept. */
  renamedFrom?: { name: string; file: string };
}

/**
 * A stack's identity: its Pulumi project and stack. File names are only ids in the catalogue; two
 * files that name the same project/stack at different commits are the same stack.
 */
export function stackIdentity(def: Pick<StackDefinition, 'project' | 'stack'>): string {
  return `${def.project}/${def.stack}`;
}

/** The answer of `gitops affected`: a plain data model, rendered by render.ts. */
export interface AffectedResult {
  /** The base ref's commit; null in `--files` mode. */
  base: string | null;
  /** The head ref's commit; null in `--files` mode. */
  head: string | null;
  /** Where the diff started; null in `--files` mode and when history was missing. */
  mergeBase: string | null;
  /** The changed files the stacks were located from. */
  changes: ChangedFile[];
  /** Affected stacks, sorted by name. */
  stacks: AffectedStack[];
  /** Things the caller should print, e.g. that head is not the checked-out commit. */
  warnings: string[];
}

const kindOrder: readonly ReasonKind[] = [
  'renamed',
  'deleted',
  'history-missing',
  'undeployed',
  'stack-file',
  'program',
  'import',
  'read',
  'watch',
  'root-file',
  'lockfile',
  'package',
  'dependency',
];

/** Reasons in a stable order, duplicates removed. */
export function sortReasons(reasons: readonly AffectedReason[]): AffectedReason[] {
  const seen = new Set<string>();
  const unique = reasons.filter((r) => {
    const key = `${r.kind}\0${r.path ?? ''}\0${r.stack ?? ''}\0${r.pattern ?? ''}\0${r.package ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      (a.path ?? '').localeCompare(b.path ?? '') ||
      (a.package ?? '').localeCompare(b.package ?? '') ||
      (a.stack ?? '').localeCompare(b.stack ?? ''),
  );
}

/** A changed lockfile or package.json, read on both sides. */
export interface PackageChange {
  /** The changed file, repository-relative. */
  path: string;
  /** Its folder ('' for the repository root): the programs it can concern are in or below it, or reach files there. */
  dir: string;
  /** Lockfile: packages whose resolved version or integrity changed. package.json: packages whose wanted range changed. */
  packages: Map<string, PackageDelta>;
  /** Package name -> the names it depends on, as the lockfile records them (both sides); empty for a package.json. */
  edges: Map<string, Set<string>>;
  /** Set when the change cannot be narrowed to packages (unreadable, no base, a field other than dependencies): why. */
  everything?: string;
}

/** What the locators look at. Every path is repository-relative with `/` separators. */
export interface LocatorInput {
  changes: readonly ChangedFile[];
  /** The catalogue at head. */
  stacks: readonly StackDefinition[];
  /** Folder of the stack files, e.g. `stacks`. */
  stacksDir: string;
  /** Folder of the programs, e.g. `programs`. */
  programsDir: string;
  rootFiles: readonly string[];
  /** Per program name: the changed files its entry file reaches through imports, or reads. */
  importHits: ReadonlyMap<string, readonly ImportHit[]>;
  /** Changed package.json files and lockfiles, read on both sides. */
  packageChanges?: readonly PackageChange[];
  /** Per program name: the files and packages it reaches; needed only when `packageChanges` has entries. */
  reach?: ReadonlyMap<string, ProgramReach>;
}

/** One stack a locator found, and why. */
export interface LocatorHit {
  stack: string;
  reason: AffectedReason;
}

/** A pure function from the changes and the catalogue to the stacks they affect. */
export type Locator = (input: LocatorInput) => LocatorHit[];
