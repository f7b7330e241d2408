/** The GitLab v4 JSON of the fake forge's records, and the lookups every GitLab route makes. */
import type { Call } from './http.js';
import type { FakeComment, FakeIssue, FakeMergeRequest, FakeUser } from './model.js';
import type { FakeState } from './state.js';

/** What each GitLab route file is built from. */
export interface GitlabKit {
  state: FakeState;
  /** The server's URL, for web links. */
  base: string;
  shapes: ReturnType<typeof gitlabShapes>;
}

export const mrState = { open: 'opened', merged: 'merged', closed: 'closed' } as const;

export function gitlabShapes(state: FakeState, base: string) {
  const basicUser = (username: string) => {
    const u = state.user('gitlab', username);
    return { id: u.id, username: u.username, name: u.username, state: 'active', avatar_url: null, web_url: `${base}/${u.username}` };
  };
  return {
    mrOf: (c: Call) => c.project.mergeRequests.find((m) => m.number === Number(c.params.iid)),
    issueOf: (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.iid)),
    basicUser,
    // Users are created when first named (seeding or a reply), so by the time a client asks by ID they exist.
    findUser: (userId: number): FakeUser | undefined => state.userById('gitlab', userId),
    note: (n: FakeComment, iid: number, type: 'MergeRequest' | 'Issue') => ({
      id: n.id,
      body: n.body,
      author: basicUser(n.author),
      system: n.system,
      created_at: n.createdAt,
      updated_at: n.updatedAt,
      noteable_type: type,
      noteable_iid: iid,
    }),
    issue: (c: Call, i: FakeIssue) => ({
      id: i.number + 5000,
      iid: i.number,
      project_id: c.params.id,
      title: i.title,
      description: i.body,
      state: i.state === 'open' ? 'opened' : 'closed',
      labels: i.labels,
      author: basicUser(i.author ?? 'someone'),
      web_url: `${base}/${c.params.id}/-/issues/${i.number}`,
      created_at: i.createdAt,
    }),
    // Single MR and the commit's MR list share this shape (merge_requests.md "Get single MR"):
    // `sha` is the source head, `merge_commit_sha` and `squash_commit_sha` what the merge created.
    mergeRequest: (c: Call, m: FakeMergeRequest) => ({
      id: m.number + 9000,
      iid: m.number,
      project_id: c.params.id,
      title: m.title,
      state: mrState[m.state],
      source_branch: m.sourceBranch,
      target_branch: m.targetBranch,
      author: basicUser(m.author),
      sha: m.headSha,
      merge_commit_sha: m.mergeCommitSha ?? null,
      squash_commit_sha: m.squashCommitSha ?? null,
      merged_at: m.state === 'merged' ? m.createdAt : null,
      web_url: `${base}/${c.params.id}/-/merge_requests/${m.number}`,
    }),
  };
}
