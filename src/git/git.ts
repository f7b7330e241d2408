import { type SimpleGit, simpleGit } from 'simple-git';
import { GitopsError, userError } from '../errors/gitops-error.js';
import { type ChangedFile, parseNameStatus } from './name-status.js';

export type { ChangedFile } from './name-status.js';

/** Commits of several refs and the repository's shallowness, read in one git call. */
export interface RefFacts {
  /** One entry per ref asked for: its commit sha, or undefined when it does not resolve. */
  commits: (string | undefined)[];
  shallow: boolean;
}

/** What one `git rev-parse` tells about a range: both ends, the merge-base, the checkout, shallowness. */
export interface RangeFacts {
  /** The base's commit, or undefined when the ref does not resolve. */
  base?: string;
  /** The head's commit, or undefined when the ref does not resolve. */
  head?: string;
  /** Their merge-base (the first, as `git diff base...head` uses), or undefined when none is known. */
  mergeBase?: string;
  /** The checked-out commit (HEAD). */
  checkedOut?: string;
  shallow: boolean;
}

/**
 * What the affected-stacks engine reads from git. Paths are relative to the folder the
 * reader works in (the GitOps repository root, which may be below the git top level).
 */
export interface GitReader {
  /** Resolves refs (undefined for those that do not) and tells whether the clone is shallow. */
  inspect(refs: readonly string[]): Promise<RefFacts>;
  /** Everything about `base...head` in one git process: git processes are the main cost of `affected`. */
  inspectRange(base: string, head: string): Promise<RangeFacts>;
  revParse(ref: string): Promise<string>;
  /** The tree a commit records (`<commit>^{tree}`): its whole content, as one id. */
  treeOf(commit: string): Promise<string>;
  mergeBase(a: string, b: string): Promise<string | undefined>;
  isShallow(): Promise<boolean>;
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  deepen(by: number): Promise<void>;
  unshallow(): Promise<void>;
  /** Files that differ from `from` to `to`; with `fromMergeBase`, from their merge-base (`from...to`). */
  changedFiles(from: string, to: string, options?: { fromMergeBase?: boolean }): Promise<ChangedFile[]>;
  /** A file's content at a commit, or undefined when the path does not exist there. */
  show(ref: string, path: string): Promise<string | undefined>;
  /** The checked-out branch, or undefined on a detached HEAD. */
  currentBranch(): Promise<string | undefined>;
  /** Tracked files whose working-tree or staged content differs from HEAD (untracked files are not listed). */
  trackedChanges(): Promise<string[]>;
  /**
   * Files under `paths` that git does not track. `ignored`: also those .gitignore hides (a stack
   * file is read whether git ignores it or not).
   */
  untrackedFiles(paths: readonly string[], options?: { ignored?: boolean }): Promise<string[]>;
  /** The commits `to` has that `from` lacks, following first parents, oldest first: what a push landed. */
  firstParentCommits(from: string, to: string): Promise<string[]>;
  /** Every commit on `ref`'s first-parent chain, newest first: a branch's own history, without what its merges brought in. */
  firstParentHistory(ref: string): Promise<string[]>;
  /**
   * Files under `dir` that a first-parent commit of HEAD deleted (renames count as deletions),
   * newest first, each with the commit that deleted it. One git process over the whole history.
   */
  removedFiles(dir: string): Promise<{ commit: string; path: string }[]>;
}

/** Refs come from the command line: one starting with "-" would be read by git as an option. */
function checkRef(ref: string): string {
  if (ref === '' || ref.startsWith('-')) throw userError('USAGE', `"${ref}" is not a git ref`);
  return ref;
}

/** The git wrapper over simple-git. Every failure becomes a GIT_ERROR naming the command and folder. */
export class Git implements GitReader {
  private readonly git: SimpleGit;

  /** `env` replaces the environment git runs with (default: inherited). */
  constructor(
    readonly cwd: string,
    env?: NodeJS.ProcessEnv,
  ) {
    this.git = simpleGit({ baseDir: cwd });
    if (env) this.git.env({ ...env, GIT_TERMINAL_PROMPT: '0' });
  }

  private async run(args: readonly string[]): Promise<string> {
    try {
      return await this.git.raw([...args]);
    } catch (err) {
      const detail = (err instanceof Error ? err.message : String(err)).trim().split('\n')[0];
      throw new GitopsError({
        code: 'GIT_ERROR',
        kind: 'external',
        message: `git ${args.join(' ')} failed in ${this.cwd}: ${detail}`,
        cause: err,
      });
    }
  }

  async inspect(refs: readonly string[]): Promise<RefFacts> {
    try {
      const lines = (await this.run(['rev-parse', '--is-shallow-repository', ...refs.map((r) => `${checkRef(r)}^{commit}`)]))
        .trim()
        .split('\n');
      return { shallow: lines[0] === 'true', commits: lines.slice(1) };
    } catch (err) {
      if (err instanceof GitopsError && err.code !== 'GIT_ERROR') throw err;
      const [shallow, ...commits] = await Promise.all([this.isShallow(), ...refs.map((r) => this.tryRevParse(r))]);
      return { shallow: shallow as boolean, commits: commits as (string | undefined)[] };
    }
  }

  async inspectRange(base: string, head: string): Promise<RangeFacts> {
    const [b, h] = [`${checkRef(base)}^{commit}`, `${checkRef(head)}^{commit}`];
    try {
      // rev-parse expands A...B into "B A ^<merge-base>..." (no ^ line when there is none).
      const lines = (await this.run(['rev-parse', '--is-shallow-repository', b, h, 'HEAD^{commit}', `${b}...${h}`])).trim().split('\n');
      const mergeBase = lines
        .slice(4)
        .find((l) => l.startsWith('^'))
        ?.slice(1);
      return { shallow: lines[0] === 'true', base: lines[1], head: lines[2], checkedOut: lines[3], mergeBase };
    } catch (err) {
      if (err instanceof GitopsError && err.code !== 'GIT_ERROR') throw err;
      // A ref does not resolve: ask ref by ref to tell which.
      const [shallow, baseSha, headSha, checkedOut] = await Promise.all([
        this.isShallow(),
        this.tryRevParse(base),
        this.tryRevParse(head),
        this.tryRevParse('HEAD'),
      ]);
      const mergeBase = baseSha && headSha ? await this.mergeBase(baseSha, headSha) : undefined;
      return { shallow, base: baseSha, head: headSha, checkedOut, mergeBase };
    }
  }

  private async tryRevParse(ref: string): Promise<string | undefined> {
    const out = (await this.run(['rev-parse', '--verify', '--quiet', `${checkRef(ref)}^{commit}`]).catch(() => '')).trim();
    return out || undefined;
  }

  async revParse(ref: string): Promise<string> {
    const sha = await this.tryRevParse(ref);
    if (!sha)
      throw new GitopsError({
        code: 'GIT_ERROR',
        kind: 'user',
        message: `unknown git ref "${ref}" in ${this.cwd}`,
        hint: 'fetch it first (git fetch origin <branch>) or pass a commit sha',
      });
    return sha;
  }

  async treeOf(commit: string): Promise<string> {
    return (await this.run(['rev-parse', '--verify', `${await this.revParse(commit)}^{tree}`])).trim();
  }

  async mergeBase(a: string, b: string): Promise<string | undefined> {
    // merge-base exits 1 with no output when the commits share no history.
    const out = (await this.run(['merge-base', checkRef(a), checkRef(b)]).catch(() => '')).trim();
    return out || undefined;
  }

  async isShallow(): Promise<boolean> {
    return (await this.run(['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    // `merge-base --is-ancestor` answers by exit code only, which simple-git does not expose.
    return (await this.run(['rev-list', '-1', checkRef(ancestor), '--not', checkRef(descendant)])).trim() === '';
  }

  async deepen(by: number): Promise<void> {
    if (!Number.isInteger(by) || by < 1)
      throw new GitopsError({ code: 'INTERNAL', kind: 'internal', message: `cannot deepen by ${by} commits` });
    await this.run(['fetch', `--deepen=${by}`]);
  }

  async unshallow(): Promise<void> {
    await this.run(['fetch', '--unshallow']);
  }

  async changedFiles(from: string, to: string, options: { fromMergeBase?: boolean } = {}): Promise<ChangedFile[]> {
    const range = `${checkRef(from)}${options.fromMergeBase ? '...' : '..'}${checkRef(to)}`;
    // --relative: paths relative to (and limited to) the GitOps root, even when it sits below the git top level.
    const out = await this.run(['diff', '--name-status', '-z', '-M', '--relative', '--no-ext-diff', range, '--']);
    return parseNameStatus(out);
  }

  async show(ref: string, path: string): Promise<string | undefined> {
    try {
      // cat-file, not show: the blob as committed, without textconv filters. "./" makes the path relative to cwd.
      return await this.git.raw(['cat-file', 'blob', `${checkRef(ref)}:./${path}`]);
    } catch (err) {
      if (err instanceof Error && /does not exist|not a valid object name|exists on disk, but not in/i.test(err.message)) return undefined;
      throw new GitopsError({ code: 'GIT_ERROR', kind: 'external', message: `cannot read ${path} at ${ref} in ${this.cwd}`, cause: err });
    }
  }

  async trackedChanges(): Promise<string[]> {
    // Staged and unstaged together, over the whole work tree: an edit anywhere could be deployed.
    const out = await this.run(['diff', '--name-only', '-z', '--no-ext-diff', 'HEAD', '--']);
    return out.split('\0').filter(Boolean);
  }

  async untrackedFiles(paths: readonly string[], options: { ignored?: boolean } = {}): Promise<string[]> {
    if (paths.length === 0) return [];
    const out = await this.run(['ls-files', '--others', ...(options.ignored ? [] : ['--exclude-standard']), '-z', '--', ...paths]);
    return out.split('\0').filter(Boolean);
  }

  async firstParentCommits(from: string, to: string): Promise<string[]> {
    const out = await this.run(['rev-list', '--first-parent', '--reverse', `${checkRef(from)}..${checkRef(to)}`, '--']);
    return out.split('\n').filter(Boolean);
  }

  async firstParentHistory(ref: string): Promise<string[]> {
    const out = await this.run(['rev-list', '--first-parent', checkRef(ref), '--']);
    return out.split('\n').filter(Boolean);
  }

  async removedFiles(dir: string): Promise<{ commit: string; path: string }[]> {
    const out = await this.run([
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--no-renames',
      '--diff-filter=D',
      '--name-only',
      '--relative',
      '-z',
      '--format=%x01%H',
      'HEAD',
      '--',
      dir || '.',
    ]);
    const removed: { commit: string; path: string }[] = [];
    for (const entry of out.split('\x01').filter(Boolean)) {
      const [commit, ...paths] = entry.split(/[\n\0]+/).filter(Boolean);
      for (const p of paths) removed.push({ commit: commit!, path: p });
    }
    return removed;
  }

  async currentBranch(): Promise<string | undefined> {
    const out = (await this.run(['symbolic-ref', '--quiet', '--short', 'HEAD']).catch(() => '')).trim();
    return out || undefined;
  }
}
