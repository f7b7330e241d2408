/** The GitLab v4 routes of the fake forge. */
import { ascending, type Call, gitlabError, ok, ordered, page, type Reply, type Route, str, withLabels } from './http.js';
import {
  type createState,
  type FakeComment,
  type FakeIssue,
  type FakeMergeRequest,
  type FakeStatus,
  type FakeUser,
  GITLAB_NOTE_MAX,
  nextNumber,
} from './model.js';

// GitLab docs: https://docs.gitlab.com/api/ (v4). Citations below name the page and section.
export function gitlabRoutes(state: ReturnType<typeof createState>, base: string): Route[] {
  const mrOf = (c: Call) => c.project.mergeRequests.find((m) => m.number === Number(c.params.iid));
  const issueOf = (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.iid));
  const basicUser = (username: string) => {
    const u = state.user('gitlab', username);
    return { id: u.id, username: u.username, name: u.username, state: 'active', avatar_url: null, web_url: `${base}/${u.username}` };
  };
  // Users are created when first named (seeding or a reply), so by the time a client asks by ID they exist.
  const findUser = (userId: number): FakeUser | undefined => state.userById('gitlab', userId);
  const note = (n: FakeComment, iid: number, type: string) => ({
    id: n.id,
    body: n.body,
    author: basicUser(n.author),
    system: n.system,
    created_at: n.createdAt,
    updated_at: n.updatedAt,
    noteable_type: type,
    noteable_iid: iid,
  });
  const issue = (c: Call, i: FakeIssue) => ({
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
  });
  const mrState = { open: 'opened', merged: 'merged', closed: 'closed' } as const;
  // Single MR and the commit's MR list share this shape (merge_requests.md "Get single MR"):
  // `sha` is the source head, `merge_commit_sha` and `squash_commit_sha` what the merge created.
  const mergeRequest = (c: Call, m: FakeMergeRequest) => ({
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
  });
  const newNote = (c: Call, body: unknown): FakeComment | Reply => {
    const text = str(body);
    if (!text) return gitlabError(400, '400 Bad request - body is missing');
    if (text.length > GITLAB_NOTE_MAX) return gitlabError(400, { note: [`is too long (maximum is ${GITLAB_NOTE_MAX} characters)`] });
    const at = state.now();
    return { id: state.nextId(), body: text, author: c.actor.username, system: false, createdAt: at, updatedAt: at };
  };
  const labelsOf = (v: unknown) =>
    str(v)
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean);
  const currentUser = (c: Call) => {
    const u = state.user('gitlab', c.actor.username);
    return { ...basicUser(u.username), bot: u.bot };
  };
  // A token's user is a member at the token's level (a project access token's bot user is).
  const tokenLevel = (username: string) =>
    [...state.identities.gitlab.values()].find((i) => i.username === username)?.accessLevel ?? (username === 'gitops-bot' ? 40 : undefined);
  return [
    // users.md "Get the current user": the account behind the token; project/group access tokens have bot users.
    { method: 'GET', pattern: ['user'], handle: (c) => ok(currentUser(c)) },
    // personal_access_tokens.md "Get single personal access token" (`self`): the token's scopes; project and
    // group access tokens answer too.
    {
      method: 'GET',
      pattern: ['personal_access_tokens', 'self'],
      handle: (c) => ok({ id: 1, name: 'gitops', active: true, revoked: false, scopes: c.actor.scopes ?? ['api'] }),
    },
    // users.md "Get a single user": `bot` tells bot accounts apart.
    {
      method: 'GET',
      pattern: ['users', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        return u
          ? ok({ ...basicUser(u.username), bot: u.bot, public_email: `${u.username}@users.example` })
          : gitlabError(404, '404 User Not Found');
      },
    },
    // projects.md "Get a single project".
    {
      method: 'GET',
      pattern: ['projects', ':id'],
      handle: (c) => ok({ id: Number(c.params.id) || 1, default_branch: c.project.defaultBranch, web_url: `${base}/${c.params.id}` }),
    },
    // members.md "Get a member of a group or project, including inherited and invited members": 404 for a non-member.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'members', 'all', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        const level = u ? (c.project.members.get(u.username) ?? tokenLevel(u.username)) : undefined;
        return u && level !== undefined
          ? ok({ ...basicUser(u.username), access_level: level, expires_at: null })
          : gitlabError(404, '404 Not found');
      },
    },
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const sorted =
          c.query.get('order_by') === 'updated_at'
            ? [...mr.comments].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
            : ordered(mr.comments, true);
        return page(
          'gitlab',
          (ascending('gitlab', c.query) ? sorted : sorted.reverse()).map((n) => note(n, mr.number, 'MergeRequest')),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const n = newNote(c, c.body.body);
        if ('status' in n) return n;
        mr.comments.push(n);
        return ok(note(n, mr.number, 'MergeRequest'), 201);
      },
    },
    // notes.md "Modify existing merge request note": only the note's author may edit it; anyone else gets 403.
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'notes', ':note'],
      handle: (c) => {
        const n = mrOf(c)?.comments.find((x) => x.id === Number(c.params.note));
        if (!n) return gitlabError(404, '404 Not found');
        if (n.author !== c.actor.username) return gitlabError(403, '403 Forbidden');
        const updated = newNote(c, c.body.body);
        if ('status' in updated) return updated;
        Object.assign(n, { body: updated.body, updatedAt: updated.updatedAt });
        return ok(note(n, Number(c.params.iid), 'MergeRequest'));
      },
    },
    // merge_requests.md "Get single MR".
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid'],
      handle: (c) => {
        const mr = mrOf(c);
        return mr ? ok(mergeRequest(c, mr)) : gitlabError(404, '404 Not found');
      },
    },
    // merge_requests.md "Get single merge request commits": authors and committers by name and email, never by user.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'commits'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        return page(
          'gitlab',
          mr.commits.map((k) => ({
            id: k.sha,
            short_id: k.sha.slice(0, 8),
            author_name: k.author,
            author_email: `${k.author}@users.example`,
            committer_name: k.committer,
            committer_email: `${k.committer}@users.example`,
          })),
          c,
        );
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (GET .../approvals). The Free
    // shape has `approved` and `approved_by` only (any approval approves); Premium adds approvals_required/left.
    // `approved_by` carries users, never a commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approvals'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const common = {
          id: mr.number + 9000,
          iid: mr.number,
          project_id: Number(c.params.id) || 1,
          title: mr.title,
          state: mrState[mr.state],
          merge_status: 'can_be_merged',
        };
        const approvedBy = mr.approvedBy.map((u) => ({ user: basicUser(u) }));
        if (c.project.tier === 'free')
          return ok({
            ...common,
            approved: mr.approvedBy.length > 0,
            user_has_approved: false,
            user_can_approve: false,
            approved_by: approvedBy,
          });
        const left = Math.max(0, mr.approvalsRequired - mr.approvedBy.length);
        return ok({
          ...common,
          approved: left === 0,
          approvals_required: mr.approvalsRequired,
          approvals_left: left,
          approved_by: approvedBy,
          has_approval_rules: mr.approvalsRequired > 0,
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (approval_state), Premium: rules, still no commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approval_state'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr || c.project.tier === 'free') return gitlabError(404, '404 Not found');
        const rule = {
          id: 1,
          name: 'All Members',
          rule_type: 'any_approver',
          eligible_approvers: [],
          approvals_required: mr.approvalsRequired,
          users: [],
          groups: [],
          contains_hidden_groups: false,
          overridden: false,
        };
        return ok({
          approval_rules_overwritten: false,
          rules: [{ ...rule, approved_by: mr.approvedBy.map(basicUser), approved: mr.approvedBy.length >= mr.approvalsRequired }],
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval configuration for a project": Premium/Ultimate only, so a
    // Free project answers 404; `reset_approvals_on_push` removes approvals when commits are added.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'approvals'],
      handle: (c) => {
        if (c.project.tier === 'free') return gitlabError(404, '404 Not Found');
        return ok({
          approvals_before_merge: 0,
          reset_approvals_on_push: c.project.resetApprovalsOnPush,
          selective_code_owner_removals: false,
          disable_overriding_approvers_per_merge_request: false,
          merge_requests_author_approval: false,
          merge_requests_disable_committers_approval: false,
          require_password_to_approve: false,
        });
      },
    },
    // commits.md "List merge requests associated with a commit": every MR containing it, whatever its state or target.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'commits', ':sha', 'merge_requests'],
      handle: (c) => {
        const numbers = c.project.commits.get(c.params.sha!) ?? [];
        return page(
          'gitlab',
          c.project.mergeRequests.filter((m) => numbers.includes(m.number)).map((m) => mergeRequest(c, m)),
          c,
        );
      },
    },
    // commits.md "Set the pipeline status of a commit": `state` is required, one of pending, running, success,
    // failed, canceled (else 400); `name` defaults to "default"; `pipeline_id` picks the pipeline. Answers 201.
    {
      method: 'POST',
      pattern: ['projects', ':id', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['pending', 'running', 'success', 'failed', 'canceled'].includes(wanted)) return gitlabError(400, 'state is missing');
        const name = str(c.body.name) || str(c.body.context) || 'default';
        // The status state machine refuses an active status the same transition again: pending -> pending is
        // 400 "Cannot transition status via :enqueue from :pending" (gitlab-org/gitlab-foss#25807).
        const latest = c.project.statuses.filter((x) => x.sha === c.params.sha && x.name === name).at(-1);
        if (latest && ['pending', 'running'].includes(latest.state) && latest.state === wanted) {
          const event = wanted === 'pending' ? 'enqueue' : 'run';
          return gitlabError(
            400,
            `Cannot transition status via :${event} from :${wanted} (Reason(s): Status cannot transition via "${event}")`,
          );
        }
        const posted: FakeStatus = {
          sha: c.params.sha!,
          name,
          state: wanted,
          description: typeof c.body.description === 'string' ? c.body.description : undefined,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : undefined,
          pipelineId: c.body.pipeline_id === undefined ? undefined : Number(c.body.pipeline_id),
          author: c.actor.username,
          createdAt: state.now(),
        };
        c.project.statuses.push(posted);
        return ok(
          {
            id: state.nextId(),
            sha: posted.sha,
            status: posted.state,
            name: posted.name,
            description: posted.description ?? null,
            target_url: posted.targetUrl ?? null,
            author: basicUser(posted.author),
            created_at: posted.createdAt,
          },
          201,
        );
      },
    },
    // issues.md "List project issues": `author_id` filters by author.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'issues'],
      handle: (c) => {
        const wanted = c.query.get('state') ?? 'all';
        const authorId = c.query.get('author_id');
        const issues = withLabels(c.project.issues, c.query)
          .filter((i) => wanted === 'all' || (wanted === 'opened') === (i.state === 'open'))
          .filter((i) => authorId === null || String(state.user('gitlab', i.author ?? 'someone').id) === authorId);
        return page(
          'gitlab',
          ordered(issues, ascending('gitlab', c.query)).map((i) => issue(c, i)),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues'],
      handle: (c) => {
        if (!str(c.body.title)) return gitlabError(400, { title: ["can't be blank"] });
        const created: FakeIssue = {
          number: nextNumber(c.project),
          title: str(c.body.title),
          body: str(c.body.description),
          author: c.actor.username,
          labels: labelsOf(c.body.labels),
          state: 'open',
          comments: [],
          createdAt: state.now(),
        };
        c.project.issues.push(created);
        return ok(issue(c, created), 201);
      },
    },
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'issues', ':iid'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return gitlabError(404, '404 Not found');
        if (typeof c.body.title === 'string') i.title = c.body.title;
        if (typeof c.body.description === 'string') i.body = c.body.description;
        if (c.body.labels !== undefined) i.labels = labelsOf(c.body.labels);
        i.labels = [...new Set([...i.labels, ...labelsOf(c.body.add_labels)])].filter((l) => !labelsOf(c.body.remove_labels).includes(l));
        if (c.body.state_event === 'close') i.state = 'closed';
        if (c.body.state_event === 'reopen') i.state = 'open';
        return ok(issue(c, i));
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues', ':iid', 'notes'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return gitlabError(404, '404 Not found');
        const n = newNote(c, c.body.body);
        if ('status' in n) return n;
        i.comments.push(n);
        return ok(note(n, i.number, 'Issue'), 201);
      },
    },
  ];
}
