import { userError } from '../errors/gitops-error.js';
import { type CiSettingsDeps, githubDefaultBranch } from '../forge/ci-settings.js';
import type { GitReader } from '../git/git.js';

export interface BranchFacts {
  /** The branch the pipeline runs for (CI variable), else the checked-out branch. */
  branch?: string;
  defaultBranch: string;
  /** The commit to deploy. */
  head: string;
  /** Whether the command takes `--force` (deploy --base does; --since-deployed does not): the hints name only working options. */
  forceable?: boolean;
}

/** The branch the CI says it runs for, before asking git. */
export function ciBranch(env: NodeJS.ProcessEnv): string | undefined {
  return env.CI_COMMIT_BRANCH ?? (env.GITHUB_REF?.startsWith('refs/heads/') ? env.GITHUB_REF.slice('refs/heads/'.length) : undefined);
}

/**
 * The default branch: --default-branch, GITOPS_DEFAULT_BRANCH, GitLab's CI_DEFAULT_BRANCH, on
 * GitHub the event payload's `repository.default_branch` (GitHub sets no variable for it),
 * else main. `deps` reads the event file (tests pass their own).
 */
export function defaultBranchOf(env: NodeJS.ProcessEnv, flag?: string, deps?: CiSettingsDeps): string {
  return flag ?? env.GITOPS_DEFAULT_BRANCH ?? env.CI_DEFAULT_BRANCH ?? githubDefaultBranch(env, deps) ?? 'main';
}

/**
 * Deploys run only on the default branch, for a commit reachable from it (`origin/<branch>` or,
 * in a repository without that remote branch, the local one), so a feature branch can never
 * deploy what was not merged. `--force` skips this check where the command takes it.
 */
export async function checkDeployBranch(git: GitReader, facts: BranchFacts): Promise<void> {
  const branch = facts.branch ?? (await git.currentBranch());
  if (branch !== facts.defaultBranch) {
    throw userError(
      'DEPLOY_REFUSED',
      `deploy refused: it runs only on the default branch "${facts.defaultBranch}", and this is ${branch ? `branch "${branch}"` : 'a detached HEAD with no branch'}`,
      facts.forceable ? 'merge the change first; --force overrides' : 'merge the change first, then deploy from the default branch',
    );
  }
  const tips = (await git.inspect([`refs/remotes/origin/${facts.defaultBranch}`, `refs/heads/${facts.defaultBranch}`])).commits;
  let reachable = false;
  for (const tip of tips) if (tip !== undefined && !reachable) reachable = await git.isAncestor(facts.head, tip);
  if (!reachable) {
    throw userError(
      'DEPLOY_REFUSED',
      `deploy refused: commit ${facts.head.slice(0, 12)} is not reachable from the default branch "${facts.defaultBranch}"`,
      facts.forceable ? 'deploy a merged commit; --force overrides' : 'deploy a commit of the default branch',
    );
  }
}
