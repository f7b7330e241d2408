/**
 * The forge: the code host (GitLab or GitHub) that runs the pipelines and hosts the merge
 * requests. The rest of the framework talks to it only through {@link Forge}, so the
 * preview comment, the approval gate and drift issues work the same on both platforms.
 */

export type ForgePlatform = 'gitlab' | 'github';

/** Display names, for messages. */
export const platformName: Record<ForgePlatform, string> = { gitlab: 'GitLab', github: 'GitHub' };

/**
 * The largest comment or issue body each platform accepts, in characters, our hidden marker
 * included. GitLab notes: 1,000,000; GitHub comments and issue bodies: 65,536. The Markdown
 * reporter cuts reports to {@link bodyBudget} before posting.
 */
export const GITLAB_MAX_BODY_CHARS = 1_000_000;
export const GITHUB_MAX_BODY_CHARS = 65_536;

/** The platform's body limit in characters. */
export function maxBodyChars(platform: ForgePlatform): number {
  return platform === 'gitlab' ? GITLAB_MAX_BODY_CHARS : GITHUB_MAX_BODY_CHARS;
}

/** What an upsert of the one marked comment did. */
export interface CommentResult {
  id: number;
  /** Link to the comment, when the platform (or CI_PROJECT_URL on GitLab) tells us. */
  url?: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** The approval state of a merge request. */
export interface Approvals {
  /**
   * True when the platform considers the MR approved AND at least one person approved it:
   * a project that requires no approvals does not turn "nobody looked" into "approved".
   * On GitHub, a pending change request from anyone also withholds approval.
   */
  approved: boolean;
  /** Usernames whose approval currently stands. */
  approvers: string[];
  /** Approvals the project requires (GitLab only; GitHub does not expose it to CI tokens). */
  required?: number;
  /** GitHub: users whose latest review requests changes. */
  changesRequestedBy?: string[];
}

/** A merge request (GitLab) or pull request (GitHub). */
export interface MergeRequestRef {
  /** GitLab IID or GitHub PR number. */
  number: number;
  url?: string;
  title: string;
  state: 'open' | 'merged' | 'closed';
  sourceBranch?: string;
  targetBranch?: string;
}

/** An issue the forge opened or found. */
export interface IssueRef {
  /** GitLab IID or GitHub issue number. */
  number: number;
  url?: string;
}

export interface IssueContent {
  title: string;
  /** Markdown; the hidden marker is added by the forge. */
  body: string;
  /** Labels to put on the issue; existing extra labels are kept. */
  labels?: readonly string[];
}

export interface IssueResult extends IssueRef {
  action: 'opened' | 'updated' | 'unchanged';
}

/**
 * The operations the framework needs from a forge. `key` names a marked thing (e.g.
 * `preview`, `drift:prod`); the forge hides `<!-- gitops:KEY -->` at the top of the body
 * and finds it again by that marker, so every operation is safe to repeat.
 * `mr` defaults to the pipeline's own merge request; `sha` to the pipeline's commit.
 */
export interface Forge {
  readonly platform: ForgePlatform;
  /** Body limit in characters, marker included: see {@link bodyBudget} for the caller's share. */
  readonly maxBodyChars: number;
  /** Creates the one comment marked `key` on the MR, or updates it in place. */
  upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult>;
  mergeRequestApprovals(mr?: number): Promise<Approvals>;
  /** The merge request a commit came from (the merged one first), for deploy-on-merge. */
  mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined>;
  /** Opens the one open issue marked `key`, or updates it. */
  upsertIssue(key: string, issue: IssueContent): Promise<IssueResult>;
  /** Closes the open issue marked `key`, with an optional comment; undefined when none is open. */
  closeIssue(key: string, comment?: string): Promise<IssueRef | undefined>;
}
