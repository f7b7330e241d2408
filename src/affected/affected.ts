import path from 'node:path';
import { asGitopsError } from '../errors/gitops-error.js';
import { Git, type GitReader } from '../git/git.js';
import type { ChangedFile } from '../git/name-status.js';
import { formatDiagnostic } from '../stacks/diagnostic.js';
import { parseStackFile } from '../stacks/parse.js';
import { affectedFromChanges, everyStack, programEntries, type ChangesInput } from './affected-from-changes.js';
import { findMergeBase, type HistoryOptions } from './history.js';
import { ImportGraph } from './import-graph.js';
import type { AffectedResult, AffectedStack, PreviousDefinition } from './model.js';
import { fileSource } from './module-source.js';

export interface AffectedOptions extends Omit<ChangesInput, 'changes' | 'graph'>, HistoryOptions {
  /** The target branch (or commit) of the merge request. */
  base: string;
  /** Default: HEAD. */
  head?: string;
  /** Default: a {@link Git} at `layout.root`. */
  git?: GitReader;
  /** When the merge-base cannot be found: every stack affected (reason `history-missing`) instead of HISTORY_MISSING. */
  allOnMissingHistory?: boolean;
}

/** What a deleted stack file said at the merge-base. */
async function previousDefinition(git: GitReader, commit: string, stack: AffectedStack): Promise<PreviousDefinition | undefined> {
  const file = stack.reasons.find((r) => r.kind === 'deleted')?.path;
  if (file === undefined) return undefined;
  const text = await git.show(commit, file);
  if (text === undefined) return { file, problems: [`${file} does not exist at ${commit}`] };
  const parsed = parseStackFile(file, stack.name, text);
  return { file, text, definition: parsed.definition, problems: parsed.diagnostics.map(formatDiagnostic) };
}

/**
 * `gitops affected`: the stacks a merge request affects, from the diff between the
 * merge-base of `base` and `head` and `head`. The catalogue and the program sources are
 * read from the working tree, which should be `head` checked out (a warning says when not).
 */
export async function computeAffected(options: AffectedOptions): Promise<AffectedResult> {
  const git = options.git ?? new Git(options.layout.root);
  const head = options.head ?? 'HEAD';
  // Three git calls at once: in the common case (full history) they are all it takes.
  const facts = git.inspect([options.base, head, 'HEAD']);
  const quickDiff = git.changedFiles(options.base, head, { fromMergeBase: true }).catch(() => undefined);
  const quickBase = git.mergeBase(options.base, head).catch(() => undefined);
  // Meanwhile, read the programs' import graph: it is likely needed, and reading files overlaps the git processes.
  const graph = new ImportGraph(options.source ?? fileSource(options.layout.root)).addEntries(programEntries(options.catalog, options.layout).keys());
  const stopGraph = new AbortController();
  const building = graph.build(stopGraph.signal);
  try {
    const [{ commits, shallow }, diff, mergeBase] = await Promise.all([facts, quickDiff, quickBase]);
    const warnings: string[] = [];
    let history = commits[0] && commits[1] && mergeBase && diff ? { base: commits[0], head: commits[1], mergeBase } : undefined;
    let changes: ChangedFile[] | undefined = history ? diff : undefined;
    if (!history) {
      try {
        history = await findMergeBase(git, options.base, head, options, { commits: commits.slice(0, 2), shallow });
      } catch (err) {
        const error = asGitopsError(err);
        if (error.code !== 'HISTORY_MISSING' || !options.allOnMissingHistory) throw error;
        options.onEvent?.({ type: 'history-missing', message: error.message });
        const stacks = everyStack(options.catalog, { kind: 'history-missing' });
        return { base: commits[0] ?? null, head: commits[1] ?? null, mergeBase: null, changes: [], stacks, warnings: [error.message] };
      }
      changes = await git.changedFiles(history.mergeBase, history.head);
    }
    if (commits[2] !== undefined && commits[2] !== history.head) {
      warnings.push(`head ${head} (${history.head.slice(0, 12)}) is not the checked-out commit (${commits[2].slice(0, 12)}): stack files and programs were read from the working tree`);
    }
    await building;
    const stacks = affectedFromChanges({ ...options, changes: changes!, graph });
    for (const s of stacks) if (s.action === 'destroy') s.previous = await previousDefinition(git, history.mergeBase, s);
    return { base: history.base, head: history.head, mergeBase: history.mergeBase, changes: changes!, stacks, warnings };
  } finally {
    stopGraph.abort();
    await building;
  }
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
export function computeAffectedFromFiles(options: Omit<ChangesInput, 'changes' | 'graph'> & { files: readonly string[] }): AffectedResult {
  const changes = toChangedFiles(options.files, options.layout.root);
  return { base: null, head: null, mergeBase: null, changes, stacks: affectedFromChanges({ ...options, changes }), warnings: [] };
}
