/** The GitHub REST routes of the fake forge. */
import { ascending, type Call, githubError, ok, ordered, page, type Reply, type Route, str, withLabels } from './http.js';
import {
  type createState,
  type FakeComment,
  type FakeIssue,
  type FakeMergeRequest,
  type FakeStatus,
  GITHUB_BODY_MAX,
  type GithubRole,
  nextNumber,
} from './model.js';

// GitHub docs: https://docs.github.com/en/rest. Citations below name the page and section.
export function githubRoutes(state: ReturnType<typeof createState>, base: string): Route[] {
  const repoOf = (c: Call) => `${c.params.owner}/${c.params.repo}`;
  const prOf = (c: Call, n = c.params.number) => c.project.mergeRequests.find((m) => m.number === Number(n));
  const issueOf = (c: Call) => c.project.issues.find((i) => i.number === Number(c.params.number));
  // Simple user object: `type` is "Bot" for apps' bot accounts, "User" for people.
  const user = (login: string) => {
    const u = state.user('github', login);
    return { login: u.username, id: u.id, type: u.bot ? 'Bot' : 'User' };
  };
  // author_association (CommentAuthorAssociation): OWNER for the repository owner, COLLABORATOR for
  // collaborators, else NONE here. It is informative only: write access comes from the permission endpoint.
  const association = (c: Call, login: string) =>
    login === c.params.owner ? 'OWNER' : c.project.collaborators.has(login) ? 'COLLABORATOR' : 'NONE';
  const comment = (c: Call, x: FakeComment, n: number, kind: 'issues' | 'pull') => ({
    id: x.id,
    body: x.body,
    user: user(x.author),
    author_association: association(c, x.author),
    html_url: `${base}/${repoOf(c)}/${kind}/${n}#issuecomment-${x.id}`,
    created_at: x.createdAt,
    updated_at: x.updatedAt,
  });
  const issue = (c: Call, i: FakeIssue) => ({
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
  });
  const prAsIssue = (c: Call, m: FakeMergeRequest) => ({
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
  });
  // pulls.md "Get a pull request": `merge_commit_sha` is the merge, squash or last rebased commit once merged.
  const pull = (c: Call, m: FakeMergeRequest) => ({
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
  });
  const tooLong = () =>
    githubError(422, 'Validation Failed', {
      errors: [
        { resource: 'IssueComment', code: 'custom', field: 'body', message: `body is too long (maximum is ${GITHUB_BODY_MAX} characters)` },
      ],
    });
  const newComment = (c: Call, body: unknown): FakeComment | Reply => {
    const text = str(body);
    if (!text) return githubError(422, 'Validation Failed');
    if (text.length > GITHUB_BODY_MAX) return tooLong();
    const at = state.now();
    return { id: state.nextId(), body: text, author: c.actor.username, system: false, createdAt: at, updatedAt: at };
  };
  const allComments = (c: Call) => [
    ...c.project.mergeRequests.flatMap((m) => m.comments.map((x) => ({ x, n: m.number, kind: 'pull' as const }))),
    ...c.project.issues.flatMap((i) => i.comments.map((x) => ({ x, n: i.number, kind: 'issues' as const }))),
  ];
  const labelsOf = (v: unknown) =>
    Array.isArray(v) ? v.map((l) => (typeof l === 'string' ? l : str((l as { name?: unknown }).name))) : [];
  const permissionOf: Record<GithubRole, string> = { admin: 'admin', maintain: 'write', write: 'write', triage: 'read', read: 'read' };
  // repos.md "Get a repository": `permissions` of the token's user, each role including the ones below it.
  const roles: GithubRole[] = ['read', 'triage', 'write', 'maintain', 'admin'];
  const rolePermissions = (role: GithubRole) => {
    const at = roles.indexOf(role);
    return { pull: at >= 0, triage: at >= 1, push: at >= 2, maintain: at >= 3, admin: at >= 4 };
  };
  return [
    // users.md "Get the authenticated user". An installation token (GITHUB_TOKEN) is refused with 403
    // "Resource not accessible by integration": it is not a user.
    {
      method: 'GET',
      pattern: ['user'],
      handle: (c) => (c.actor.installation ? githubError(403, 'Resource not accessible by integration') : ok(user(c.actor.username))),
    },
    // repos.md "Get a repository".
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo'],
      handle: (c) =>
        ok({
          full_name: repoOf(c),
          default_branch: c.project.defaultBranch,
          private: true,
          // Only a user's token sees its own role; an installation token's answer has none.
          ...(c.actor.installation
            ? {}
            : { permissions: rolePermissions(c.project.collaborators.get(c.actor.username) ?? c.actor.role ?? 'write') }),
        }),
    },
    // commits.md "List commits", pulls.md "List pull requests", statuses.md "List commit statuses for a reference":
    // the one-item reads of the access check.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits'],
      handle: (c) =>
        page(
          'github',
          [...c.project.commits.keys()].map((sha) => ({ sha, commit: { message: '' } })),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls'],
      handle: (c) =>
        page(
          'github',
          c.project.mergeRequests.filter((m) => m.state === 'open').map((m) => pull(c, m)),
          c,
        ),
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'statuses'],
      handle: (c) =>
        page(
          'github',
          c.project.statuses
            .filter((x) => x.sha === c.params.sha)
            .reverse()
            .map((x) => ({ state: x.state, context: x.name, description: x.description ?? null, created_at: x.createdAt })),
          c,
        ),
    },
    // collaborators.md "Get repository permissions for a user": permission admin/write/read/none (maintain
    // reads as write, triage as read); role_name keeps the role. A non-collaborator of a private repository: none.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'collaborators', ':login', 'permission'],
      handle: (c) => {
        const role = c.project.collaborators.get(c.params.login!);
        return ok({ permission: role ? permissionOf[role] : 'none', role_name: role ?? 'none', user: user(c.params.login!) });
      },
    },
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'comments'],
      handle: (c) => {
        const pr = prOf(c);
        const target = pr ?? issueOf(c);
        if (!target) return githubError(404, 'Not Found');
        return page(
          'github',
          ordered(target.comments, true).map((x) => comment(c, x, target.number, pr ? 'pull' : 'issues')),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'comments'],
      handle: (c) => {
        const pr = prOf(c);
        const target = pr ?? issueOf(c);
        if (!target) return githubError(404, 'Not Found');
        const x = newComment(c, c.body.body);
        if ('status' in x) return x;
        target.comments.push(x);
        return ok(comment(c, x, target.number, pr ? 'pull' : 'issues'), 201);
      },
    },
    // issues/comments.md "Update an issue comment": people with write access may edit anyone's comment, so a
    // comment we wrote into is one its author can edit back: we must never write into another's.
    {
      method: 'PATCH',
      pattern: ['repos', ':owner', ':repo', 'issues', 'comments', ':id'],
      handle: (c) => {
        const found = allComments(c).find((e) => e.x.id === Number(c.params.id));
        if (!found) return githubError(404, 'Not Found');
        const updated = newComment(c, c.body.body);
        if ('status' in updated) return updated;
        Object.assign(found.x, { body: updated.body, updatedAt: updated.updatedAt });
        return ok(comment(c, found.x, found.n, found.kind));
      },
    },
    // pulls.md "Get a pull request".
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number'],
      handle: (c) => {
        const pr = prOf(c);
        return pr ? ok(pull(c, pr)) : githubError(404, 'Not Found');
      },
    },
    // pulls/reviews.md "List reviews for a pull request": each review names the commit it was submitted on
    // (`commit_id`), its author's `author_association` and `user.type`; oldest first.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number', 'reviews'],
      handle: (c) => {
        const pr = prOf(c);
        if (!pr) return githubError(404, 'Not Found');
        return page(
          'github',
          pr.reviews.map((r) => ({
            id: r.id,
            user: user(r.user),
            body: '',
            state: r.state,
            commit_id: r.commitId,
            author_association: association(c, r.user),
            submitted_at: r.submittedAt,
          })),
          c,
        );
      },
    },
    // pulls.md "List commits on a pull request": `author` and `committer` are GitHub users (null when the email matches none).
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'pulls', ':number', 'commits'],
      handle: (c) => {
        const pr = prOf(c);
        if (!pr) return githubError(404, 'Not Found');
        return page(
          'github',
          pr.commits.map((k) => ({ sha: k.sha, author: user(k.author), committer: user(k.committer), commit: { message: '' } })),
          c,
        );
      },
    },
    // commits.md "List pull requests associated with a commit": may list open, closed and other-branch PRs too.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'pulls'],
      handle: (c) => {
        const numbers = c.project.commits.get(c.params.sha!) ?? [];
        return page(
          'github',
          c.project.mergeRequests.filter((m) => numbers.includes(m.number)).map((m) => pull(c, m)),
          c,
        );
      },
    },
    // statuses.md "Create a commit status": `state` is required, one of error, failure, pending, success (else
    // 422); `context` defaults to "default"; the latest status per context is the one shown. Answers 201.
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['error', 'failure', 'pending', 'success'].includes(wanted)) return githubError(422, 'Validation Failed');
        const posted: FakeStatus = {
          sha: c.params.sha!,
          name: str(c.body.context) || 'default',
          state: wanted,
          description: typeof c.body.description === 'string' ? c.body.description : undefined,
          targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : undefined,
          author: c.actor.username,
          createdAt: state.now(),
        };
        c.project.statuses.push(posted);
        return ok(
          {
            id: state.nextId(),
            state: posted.state,
            context: posted.name,
            description: posted.description ?? null,
            target_url: posted.targetUrl ?? null,
            creator: user(posted.author),
            created_at: posted.createdAt,
          },
          201,
        );
      },
    },
    // issues.md "List repository issues": pull requests are listed too; `creator` filters by login.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'issues'],
      handle: (c) => {
        const wanted = c.query.get('state') ?? 'open';
        const creator = c.query.get('creator');
        const byCreator = (login: string) => creator === null || creator.toLowerCase() === login.toLowerCase();
        const issues = withLabels(c.project.issues, c.query)
          .filter((i) => (wanted === 'all' || wanted === i.state) && byCreator(i.author ?? 'someone'))
          .map((i) => ({ at: i.createdAt, json: issue(c, i) }));
        const prs = c.query.get('labels')
          ? []
          : c.project.mergeRequests
              .filter((m) => (wanted === 'all' || (wanted === 'open') === (m.state === 'open')) && byCreator(m.author))
              .map((m) => ({ at: m.createdAt, json: prAsIssue(c, m) }));
        const all = [...issues, ...prs].sort((a, b) => a.at.localeCompare(b.at)).map((e) => e.json);
        return page('github', ascending('github', c.query) ? all : all.reverse(), c);
      },
    },
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'issues'],
      handle: (c) => {
        if (!str(c.body.title)) return githubError(422, 'Validation Failed');
        if (str(c.body.body).length > GITHUB_BODY_MAX) return tooLong();
        const created: FakeIssue = {
          number: nextNumber(c.project),
          title: str(c.body.title),
          body: str(c.body.body),
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
      method: 'PATCH',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number'],
      handle: (c) => {
        const i = issueOf(c);
        if (!i) return githubError(404, 'Not Found');
        if (typeof c.body.body === 'string' && c.body.body.length > GITHUB_BODY_MAX) return tooLong();
        if (typeof c.body.title === 'string') i.title = c.body.title;
        if (typeof c.body.body === 'string') i.body = c.body.body;
        if (c.body.labels !== undefined) i.labels = labelsOf(c.body.labels);
        if (c.body.state === 'closed' || c.body.state === 'open') i.state = c.body.state;
        if (typeof c.body.state_reason === 'string') i.stateReason = c.body.state_reason;
        return ok(issue(c, i));
      },
    },
    addLabelsRoute((c) => issueOf(c)?.labels),
  ];
}

// labels.md "Add labels to an issue": adds to the issue's labels, keeping the ones it has; answers them all.
function addLabelsRoute(issueLabels: (c: Call) => string[] | undefined): Route {
  return {
    method: 'POST',
    pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'labels'],
    handle: (c) => {
      const labels = issueLabels(c);
      if (!labels) return githubError(404, 'Not Found');
      const wanted = Array.isArray(c.body.labels) ? c.body.labels.map(String) : [];
      for (const l of wanted) if (!labels.includes(l)) labels.push(l);
      return ok(labels.map((name, i) => ({ id: i + 1, name })));
    },
  };
}
