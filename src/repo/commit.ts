import { Git } from '../git/git.js';

/**
 * The commit a run is for: the CI's own variable when there is one, else HEAD of the
 * repository, else undefined (not a git checkout).
 */
export async function currentCommit(root: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const fromCi = env.GITOPS_COMMIT ?? env.CI_COMMIT_SHA ?? env.GITHUB_SHA;
  if (fromCi) return fromCi;
  return new Git(root).revParse('HEAD').catch(() => undefined);
}
