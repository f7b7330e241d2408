import path from 'node:path';
import { asGitopsError } from '../errors/gitops-error.js';
import { Git, type GitReader } from '../git/git.js';
import type { ChangedFile } from '../git/name-status.js';
import { formatDiagnostic } from '../stacks/diagnostic.js';
import type { StackCatalog } from '../stacks/load.js';
import { parseStackFile } from '../stacks/parse.js';
import {
  affectedFromChanges,
  type ChangesInput,
  everyStack,
  programEntries,
  programImportGraph,
  relativeDir,
} from './affected-from-changes.js';
import { findMergeBase, type HistoryOptions } from './history.js';
import { removedPath, stackIdOf } from './locators.js';
import {
  type AffectedReason,
  type AffectedResult,
  type AffectedStack,
  type PreviousDefinition,
  sortReasons,
  stackIdentity,
} from './model.js';
import { readPackageChanges } from './package-changes.js';

/** What {@link computeAffected} needs: the repository, the range, and how to handle shallow clones. */
export interface AffectedOptions extends Omit<ChangesInput, 'changes'>, HistoryOptions {
  /** The target branch (or commit) of the merge request. */
  base: string;
  /** Default: HEAD. */
  head?: string;
  /** Default: a {@link Git} at `layout.root`. */
  git?: GitReader;
  /** When the merge-base cannot be found: every stack affected (reason `history-missing`) instead of HISTORY_MISSING. */
  allOnMissingHistory?: boolean;
}

/**
 * What a removed stack file said on the protected side: at the base (the default branch before
 * the change), else at the merge-base when the base no longer has it.
 */
async function previousDefinition(git: GitReader, commits: readonly string[], file: string, name: string): Promise<PreviousDefinition> {
  let text: string | undefined;
  for (const commit of new Set(commits)) {
    text = await git.show(commit, file);
    if (text !== undefined) break;
  }
  if (text === undefined) return { file, problems: [`${file} does not exist at ${commits.join(' or ')}`] };
  const parsed = parseStackFile(file, name, text);
  return { file, text, definition: parsed.definition, problems: parsed.diagnostics.map(formatDiagnostic) };
}

/**
 * Starts reading the last definitions of the stacks to destroy as soon as the diff is known,
 * so that the reads overlap the import graph's.
 */
function previousDefinitions(
  git: GitReader,
  commits: readonly string[],
  changes: readonly ChangedFile[],
  stacksDir: string,
): Map<string, Promise<PreviousDefinition>> {
  const reads = new Map<string, Promise<PreviousDefinition>>();
  for (const c of changes) {
    const gone = removedPath(c);
    const name = gone === undefined ? undefined : stackIdOf(gone, stacksDir);
    if (name === undefined) continue;
    const read = previousDefinition(git, commits, gone!, name);
    // Awaited later; until then a failure must not count as unhandled.
    read.catch(() => undefined);
    reads.set(name, read);
  }
  return reads;
}

/**
 * `gitops affected`: the stacks a merge request affects, from the diff between the
 * merge-base of `base` and `head` and `head`. The catalogue and the program sources are
 * read from the working tree, which should be `head` checked out (a warning says when not).
 */
export async function computeAffected(options: AffectedOptions): Promise<AffectedResult> {
  const git = options.git ?? new Git(options.layout.root);
  const head = options.head ?? 'HEAD';
  // Two git processes, at once: with full history they are all it takes. Each git process
  // costs more than anything else here, so the merge-base comes with the refs, from rev-parse.
  const quickDiff = git.changedFiles(options.base, head, { fromMergeBase: true }).catch(() => undefined);
  const facts = git.inspectRange(options.base, head);
  // Meanwhile, read the programs' import graph: it is likely needed, and reading files overlaps the git processes.
  const graph =
    options.graph?.addEntries(programEntries(options.catalog, options.layout).keys()) ??
    programImportGraph(options.catalog, options.layout, { source: options.source });
  const stopGraph = new AbortController();
  const building = graph.build(stopGraph.signal);
  try {
    const [range, diff] = await Promise.all([facts, quickDiff]);
    let history =
      range.base && range.head && range.mergeBase && diff ? { base: range.base, head: range.head, mergeBase: range.mergeBase } : undefined;
    let changes = history ? diff : undefined;
    if (!history) {
      try {
        history = await findMergeBase(git, options.base, head, options, range);
      } catch (err) {
        const error = asGitopsError(err);
        if (error.code !== 'HISTORY_MISSING' || !options.allOnMissingHistory) throw error;
        options.onEvent?.({ type: 'history-missing', message: error.message });
        const stacks = everyStack(options.catalog, { kind: 'history-missing' });
        return { base: range.base ?? null, head: range.head ?? null, mergeBase: null, changes: [], stacks, warnings: [error.message] };
      }
      changes = await git.changedFiles(history.mergeBase, history.head);
    }
    const previous = previousDefinitions(
      git,
      [history.base, history.mergeBase],
      changes!,
      relativeDir(options.layout, options.layout.stacksDir),
    );
    const warnings: string[] = [];
    if (range.checkedOut !== undefined && range.checkedOut !== history.head) {
      warnings.push(
        `head ${head} (${history.head.slice(0, 12)}) is not the checked-out commit (${range.checkedOut.slice(0, 12)}): stack files and programs were read from the working tree`,
      );
    }
    const packageChanges = await readPackageChanges(changes!, {
      base: (file) => git.show(history.mergeBase, file),
      head: (file) => git.show(history.head, file),
    });
    await building;
    const stacks = affectedFromChanges({ ...options, changes: changes!, graph, packageChanges });
    for (const s of stacks) if (s.action === 'destroy') s.previous = await previous.get(s.name);
    await Promise.all(previous.values());
    return {
      base: history.base,
      head: history.head,
      mergeBase: history.mergeBase,
      changes: changes!,
      stacks: foldRenames(stacks, options.catalog),
      warnings,
    };
  } finally {
    stopGraph.abort();
    await building;
  }
}

/**
 * Identity, not file names: a stack whose file is gone but whose Pulumi project/stack is still in
 * the head catalogue (under another file name) was renamed or moved, not deleted. Its destroy
 * entry is folded into the stack that carries the identity now, which keeps the old definition
 * as its protected side. A destroy is left only for identities that disappeared. Pure.
 */
export function foldRenames(stacks: readonly AffectedStack[], catalog: StackCatalog): AffectedStack[] {
  const byIdentity = new Map(catalog.stacks.map((s) => [stackIdentity(s), s]));
  const out = new Map(stacks.map((s) => [s.name, s]));
  for (const gone of stacks) {
    const old = gone.action === 'destroy' ? gone.previous?.definition : undefined;
    const heir = old ? byIdentity.get(stackIdentity(old)) : undefined;
    if (!old || !heir || heir.name === gone.name) continue;
    out.delete(gone.name);
    const renamed: AffectedReason = { kind: 'renamed', path: gone.previous!.file, stack: gone.name };
    const now = out.get(heir.name);
    out.set(heir.name, {
      name: heir.name,
      action: 'update',
      reasons: sortReasons([renamed, ...(now?.reasons ?? [])]),
      previous: gone.previous,
      renamedFrom: { name: gone.name, file: gone.previous!.file },
    });
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Splits a list of changed files as given on the command line (`--files a,b`, with
 * `commas`) or on stdin (one per line, or NUL-separated as `git diff -z` prints them).
 */
export function parseFileList(text: string, options: { commas?: boolean } = {}): string[] {
  return text
    .split(options.commas ? /[\n\r\0,]+/ : /[\n\r\0]+/)
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

/** Changed files named by the user, made repository-relative; paths outside the repository are dropped. */
export function toChangedFiles(files: readonly string[], root: string): ChangedFile[] {
  const out = new Map<string, ChangedFile>();
  for (const f of files) {
    const abs = path.resolve(root, f.replace(/\\/g, '/'));
    const rel = path.relative(root, abs).split(path.sep).join('/');
    if (rel === '' || rel.startsWith('../') || path.isAbsolute(rel)) continue;
    out.set(rel, { status: 'M', path: rel });
  }
  return [...out.values()];
}

/**
 * `gitops affected --files a,b`: the affected stacks for a given list of changed files,
 * without git. A listed stack file that is not in the catalogue counts as deleted; its last
 * definition is unknown here.
 */
export function computeAffectedFromFiles(options: Omit<ChangesInput, 'changes'> & { files: readonly string[] }): AffectedResult {
  const changes = toChangedFiles(options.files, options.layout.root);
  return { base: null, head: null, mergeBase: null, changes, stacks: affectedFromChanges({ ...options, changes }), warnings: [] };
}
