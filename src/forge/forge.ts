import type { RetryNotice } from './gitlab-requester.js';
import type { RetryPolicy } from './retry-policy.js';
/**
 * The forge: the code host (GitLab or GitHub) that runs the pipelines and hosts the merge
 * requests. The rest of the framework talks to it only through {@link Forge}, so the
 * preview comment, the approval gate and drift issues work the same on both platforms.
 */

export type ForgePlatform = 'gitlab' | 'github';

/** What a job does on the forge: each needs its own least rights (see access.ts). */
export type ForgeJob = 'preview' | 'deploy' | 'drift';

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

/** A user of the forge: the one behind our token, an author, an approver. */
export interface ForgeUser {
  /** GitLab user ID (GitLab compares users by ID); absent on GitHub, which compares logins. */
  id?: number;
  username: string;
}

/** An approval that does not count, and why: e.g. the MR's author, a bot, no write access, an earlier commit. */
export interface IgnoredApproval {
  user: string;
  reason: string;
}

/**
 * The approval state of a merge request, as far as we trust it. Only people who may approve
 * count: never the MR's author, never the user behind our token, never a bot, and only with
 * write access (GitHub permission write or admin; GitLab access level Developer, 30, or more).
 */
export interface Approvals {
  /**
   * True when the platform considers the MR approved AND at least one person who may approve
   * did, for the MR's final commit: a project that requires no approvals does not turn
   * "nobody looked" into "approved". On GitHub, a standing change request from anyone with
   * write access also withholds approval.
   */
  approved: boolean;
  /** Usernames whose approval counts. */
  approvers: string[];
  /** Approvals the project requires (GitLab Premium only; GitHub does not expose it to CI tokens). */
  required?: number;
  /** GitHub: users with write access whose latest review requests changes. */
  changesRequestedBy?: string[];
  /** Approvals given that do not count, with why. */
  ignored?: IgnoredApproval[];
  /**
   * Why no approval on this MR can be tied to the merged commit (GitLab without "reset
   * approvals on push", e.g. GitLab Free); `approved` is then false.
   */
  unverifiable?: string;
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
  /** Username of the MR's author. */
  author?: string;
  /** The MR's last source commit (GitLab `sha`, GitHub `head.sha`). */
  headSha?: string;
  /** The commit the merge created (GitHub: also the squash or last rebased commit). */
  mergeCommitSha?: string;
  /** GitLab: the squash commit, when the MR was squashed. */
  squashCommitSha?: string;
}

/** One commit of a push, and the merged MR it landed (undefined: no MR landed this commit). */
export interface LandedCommit {
  commit: string;
  mergeRequest?: MergeRequestRef;
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

/** A commit status's state: `pending` is what a stack waiting for its approval shows. */
export type CommitState = 'success' | 'failed' | 'pending';

/** One commit status (GitLab) or status context (GitHub), e.g. `gitops/demo-web`. */
export interface CommitStatus {
  /** GitLab `name`, GitHub `context`. */
  name: string;
  state: CommitState;
  /** One line; cut to 140 characters (GitHub's limit). */
  description: string;
  /** Where the status links to: the job, else the pipeline. */
  targetUrl?: string;
}

/** The CI run this forge client serves, as far as the CI's variables say. */
export interface CiRun {
  /** GitLab CI_PIPELINE_ID, GitHub GITHUB_RUN_ID: the same for a retried job or re-run workflow. */
  id?: string;
  /** The pipeline (GitLab) or workflow run (GitHub) page. */
  url?: string;
  /** GitLab CI_JOB_URL; GitHub: the run attempt's page (Actions names no job URL). */
  jobUrl?: string;
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
  /** The CI run, for report links and keys. */
  readonly run: CiRun;
  /** Creates the one comment marked `key` on the MR, or updates it in place. */
  upsertMergeRequestComment(key: string, body: string, mr?: number): Promise<CommentResult>;
  /**
   * Checks at the start of a job that the token can do everything `job` needs; throws
   * FORGE_ACCESS (exit 2) naming each missing role or permission. Returns what the check could
   * not prove or the forge's tier cannot guarantee, for the job to say at start.
   */
  checkAccess(job: ForgeJob): Promise<string[]>;
  /** The user behind our token, asked once per forge. Marked comments and issues are found among theirs alone. */
  currentUser(): Promise<ForgeUser>;
  /** Who approved the MR, counting only people who may approve, for its final commit. */
  mergeRequestApprovals(mr?: number): Promise<Approvals>;
  /**
   * The merged MR into the default branch whose merge, squash or head commit is `sha`, for
   * deploy-on-merge; undefined for anything else (open, closed, another branch, a commit the
   * MR merely contains). There is no fallback.
   */
  mergeRequestForCommit(sha?: string): Promise<MergeRequestRef | undefined>;
  /**
   * {@link mergeRequestForCommit} for each commit of a push (e.g. the first-parent commits of
   * `base..head`, oldest first), in the order given, so each merged MR is checked for the
   * stacks it changed.
   */
  landedMergeRequests(commits: readonly string[]): Promise<LandedCommit[]>;
  /** Opens the one open issue marked `key`, or updates it. */
  upsertIssue(key: string, issue: IssueContent): Promise<IssueResult>;
  /** Closes the open issue marked `key`, with an optional comment; undefined when none is open. */
  closeIssue(key: string, comment?: string): Promise<IssueRef | undefined>;
  /** Sets the status `status.name` on commit `sha` (the latest one per name is what the forge shows). */
  setCommitStatus(sha: string, status: CommitStatus): Promise<void>;
}

export interface ForgeOptions {
  /** Per-request timeout; a hung forge must not hang the pipeline. Default 60 s. */
  timeoutMs?: number;
  /** Retry bounds of API calls (default {@link forgeRetryPolicy}); tests shorten the waits. */
  retryPolicy?: RetryPolicy;
  /**
   * GitHub: the least time between two writes (default: @octokit/plugin-throttling's 1 s, and 3 s
   * for writes that notify people, after GitHub's advice for mutating requests); tests use 0.
   */
  writeSpacingMs?: number;
  /** Hears of each retry before its wait (GitLab). */
  onRetry?: (notice: RetryNotice) => void;
}
