/** The GitHub REST JSON of the fake forge's records, and the lookups every GitHub route makes. */
import type { Thread } from './comments.js';
import { type Call, githubError } from './http.js';
import { type FakeComment, type FakeIssue, type FakeMergeRequest, GITHUB_BODY_MAX } from './model.js';
import type { FakeState } from './state.js';

/** What each GitHub route file is built from. */
export interface GithubKit {
  state: FakeState;
  /** The server's URL, for web links. */
  base: string;
  shapes: ReturnType<typeof githubShapes>;
}

/** The 422 GitHub answers a body over its limit. */
export const tooLong = () =>
  githubError(422, 'Validation Failed', {
    errors: [
      { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${GITHUB_BODY_MAX} characters)` },
    ],
  });

export function githubShapes(state: FakeState, base: string) {
  const repoOf = (c: Call) => `${c.params.owner}/${c.params.repo}`;
  // Simple user object: `type` is "Bot" for apps' bot accounts, "User" for people.
  const user = (login: string) => {
    const u = state.user('github', login);
    return { login: u.username, id: u.id, type: u.bot ? 'Bot' : 'User' };
  };
  // author_association (CommentAuthorAssociation): OWNER for the repository owner, COLLABORATOR for
  // collaborators, else NONE here. It is informative only: write access comes from the permission endpoint.
  const association = (c: Call, login: string) =>
    login === c.params.owner ? 'OWNER' : c.project.collaborators.has(login) ? 'COLLABORATOR' : 'NONE';
  return {
    repoOf,
    prOf: (c: Call) => c.project.mergeRequests.find((m) => m.number === Number(c.params.number)),
    issueOf: (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.number)),
    user,
    association,
    comment: (c: Call, x: FakeComment, thread: Thread) => ({
      id: x.id,
      body: x.body,
      user: user(x.author),
      author_association: association(c, x.author),
      html_url: `${base}/${repoOf(c)}/${thread.kind === 'issue' ? 'issues' : 'pull'}/${thread.number}#issuecomment-${x.id}`,
      created_at: x.createdAt,
      updated_at: x.updatedAt,
    }),
    issue: (c: Call, i: FakeIssue) => ({
      id: i.number + 5000,
      number: i.number,
      title: i.title,
      body: i.body,
      user: user(i.author ?? 'someone'),
      state: i.state,
      state_reason: i.stateReason ?? null,
      labels: i.labels.map((name) => ({ name })),
      html_url: `${base}/${repoOf(c)}/issues/${i.number}`,
      created_at: i.createdAt,
    }),
    prAsIssue: (c: Call, m: FakeMergeRequest) => ({
      id: m.number + 9000,
      number: m.number,
      title: m.title,
      body: m.body,
      user: user(m.author),
      state: m.state === 'open' ? 'open' : 'closed',
      labels: [],
      html_url: `${base}/${repoOf(c)}/pull/${m.number}`,
      created_at: m.createdAt,
      pull_request: { url: `${base}/api/v3/repos/${repoOf(c)}/pulls/${m.number}` },
    }),
    // pulls.md "Get a pull request": `merge_commit_sha` is the merge, squash or last rebased commit once merged.
    pull: (c: Call, m: FakeMergeRequest) => ({
      id: m.number + 9000,
      number: m.number,
      title: m.title,
      user: user(m.author),
      state: m.state === 'open' ? 'open' : 'closed',
      merged_at: m.state === 'merged' ? m.createdAt : null,
      merge_commit_sha: m.mergeCommitSha ?? null,
      html_url: `${base}/${repoOf(c)}/pull/${m.number}`,
      head: { ref: m.sourceBranch, sha: m.headSha },
      base: { ref: m.targetBranch, repo: { full_name: repoOf(c), default_branch: c.project.defaultBranch } },
      author_association: association(c, m.author),
    }),
  };
}
