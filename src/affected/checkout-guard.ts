import type { ErrorCode } from '../errors/gitops-error.js';
import { userError } from '../errors/gitops-error.js';
import type { GitReader } from '../git/git.js';
import type { RepoLayout } from '../repo/layout.js';
import { relativeDir } from './affected-from-changes.js';
import { defaultRootFiles } from './locators.js';

/** What reading the checkout needs. */
export interface Checkout {
  git: GitReader;
  layout: RepoLayout;
}

/**
 * What the working tree holds that its commit does not, and that a run would read: tracked files
 * with uncommitted changes anywhere, and untracked files under the stacks and programs folders
 * or among the root settings. An untracked stack file (`.yaml`) is listed even when .gitignore
 * hides it (the catalogue reads it all the same); other ignored files (build output,
 * node_modules, editor files) are left out.
 */
export async function uncommittedFiles(ctx: Checkout): Promise<{ tracked: string[]; untracked: string[] }> {
  const stacks = relativeDir(ctx.layout, ctx.layout.stacksDir);
  const programs = relativeDir(ctx.layout, ctx.layout.programsDir);
  const [tracked, stackFiles, others] = await Promise.all([
    ctx.git.trackedChanges(),
    ctx.git.untrackedFiles([stacks], { ignored: true }),
    ctx.git.untrackedFiles([stacks, programs, ...defaultRootFiles]),
  ]);
  const ignoredStackFiles = stackFiles.filter((f) => f.endsWith('.yaml'));
  return { tracked, untracked: [...new Set([...ignoredStackFiles, ...others])].sort() };
}

/** A list of files for a message: the first five, and how many more. */
export function shownFiles(files: readonly string[]): string {
  return files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '');
}

/** Who refuses a checkout that is not its commit, and why that matters to it. */
export interface CheckoutRefusal {
  code: ErrorCode;
  /** How each message starts: `deploy refused`, `--save-plans`. */
  what: string;
  /** Which run would read untracked files: `deploy`, `preview`. */
  run: string;
  /** The hint: what the run records against the commit. */
  why: string;
}

/**
 * The one guard for runs recorded against a commit (a deploy records it as deployed; a saved
 * plan is bound to its tree): the working tree must be exactly the checked-out commit. Refuses
 * uncommitted changes to tracked files, untracked files a ${run} would read (an untracked stack file
 * or program would run under a commit that does not hold it), and a `head` other than the
 * checked-out commit. Returns the checked-out commit.
 */
export async function refuseUncommittedCheckout(ctx: Checkout, refusal: CheckoutRefusal, head?: string): Promise<string> {
  const { code, what, run, why } = refusal;
  const { tracked, untracked } = await uncommittedFiles(ctx);
  if (tracked.length > 0)
    throw userError(
      code,
      `${what}: the working tree has uncommitted changes to tracked files (${shownFiles(tracked)})`,
      `commit or discard them: ${why}`,
    );
  if (untracked.length > 0)
    throw userError(
      code,
      `${what}: the working tree has untracked files a ${run} would read (${shownFiles(untracked)})`,
      `commit or remove them: ${why}`,
    );
  const checkedOut = await ctx.git.revParse('HEAD');
  if (head === undefined) return checkedOut;
  const wanted = await ctx.git.revParse(head);
  if (wanted !== checkedOut)
    throw userError(
      code,
      `${what}: --head ${head} (${wanted.slice(0, 12)}) is not the checked-out commit (${checkedOut.slice(0, 12)}); check it out first`,
      why,
    );
  return checkedOut;
}
