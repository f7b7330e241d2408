import { relativeDir } from '../affected/affected-from-changes.js';
import { defaultRootFiles } from '../affected/locators.js';
import type { ActionContext } from '../api/action-context.js';

/**
 * What the working tree holds that its commit does not, and that a run would read: tracked files
 * with uncommitted changes anywhere, and untracked files under the stacks and programs folders
 * or among the root settings. An untracked stack file (`.yaml`) is listed even when .gitignore
 * hides it (the catalogue reads it all the same); other ignored files (build output,
 * node_modules, editor files) are left out.
 */
export async function uncommittedFiles(ctx: Pick<ActionContext, 'git' | 'layout'>): Promise<{ tracked: string[]; untracked: string[] }> {
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
