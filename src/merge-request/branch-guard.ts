import { userError } from '../errors/gitops-error.js';
import { type ContextDeps, githubDefaultBranch } from '../forge/context.js';
import type { GitReader } from '../git/git.js';

export interface BranchFacts {
  /** The branch the pipeline runs for (CI variable), else the checked-out branch. */
  branch?: string;
  defaultBranch: string;
  /** The commit to deploy. */
  head: string;
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
export function defaultBranchOf(env: NodeJS.ProcessEnv, flag?: string, deps?: ContextDeps): string {
  return flag ?? env.GITOPS_DEFAULT_BRANCH ?? env.CI_DEFAULT_BRANCH ?? githubDefaultBranch(env, deps) ?? 'main';
}

/**
 * Deploys run only on the default branch, for a commit reachable from it, so a feature
 * branch can never deploy what was not merged. `--force` skips this check.
 */
export async function checkDeployBranch(git: GitReader, facts: BranchFacts): Promise<void> {
  const branch = facts.branch ?? (await git.currentBranch());
  if (branch !== facts.defaultBranch) {
    throw userError(
      'DEPLOY_REFUSED',
      `deploy refused: it runs only on the default branch "${facts.defaultBranch}", and this is ${branch ? `branch "${branch}"` : 'a detached HEAD with no branch'}`,
      'merge the change first; --force overrides',
    );
  }
  const tip = (await git.inspect([`origin/${facts.defaultBranch}`, facts.defaultBranch])).commits.find((c) => c !== undefined);
  if (!tip || !(await git.isAncestor(facts.head, tip))) {
    throw userError(
      'DEPLOY_REFUSED',
      `deploy refused: commit ${facts.head.slice(0, 12)} is not reachable from the default branch "${facts.defaultBranch}"`,
      'deploy a merged commit; --force overrides',
    );
  }
}
