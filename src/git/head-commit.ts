import { userError } from '../errors/gitops-error.js';
import type { GitReader } from './git.js';

/**
 * The checked-out commit a deploy records, or undefined outside git (nothing to record). A
 * repository with no commit yet is refused: the deploy would record no commit, and every
 * later run would redo it from nothing.
 */
export async function headCommit(git: GitReader, root: string): Promise<string | undefined> {
  const commit = await git.revParse('HEAD').catch(() => undefined);
  if (commit !== undefined) return commit;
  // `rev-parse --is-shallow-repository` answers in any repository, also one without commits.
  const inRepository = await git.isShallow().then(
    () => true,
    () => false,
  );
  if (!inRepository) return undefined;
  throw userError(
    'USAGE',
    `the git repository at ${root} has no commit yet: a deploy records the commit it deploys; nothing ran`,
    'commit the stack files and programs, then deploy',
  );
}
