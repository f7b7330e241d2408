/** GitHub commits: the pull requests of a commit, and commit statuses (commits.md, statuses.md). */
import type { GithubKit } from './github-shapes.js';
import { githubError, ok, page, type Route, str } from './http.js';
import { postStatus } from './records.js';
import { mergeRequestsOfCommit } from './state.js';

export function githubCommitRoutes({ state, shapes }: GithubKit): Route[] {
  const { pull, user } = shapes;
  return [
    // commits.md "List pull requests associated with a commit": may list open, closed and other-branch PRs too.
    {
      method: 'GET',
      pattern: ['repos', ':owner', ':repo', 'commits', ':sha', 'pulls'],
      handle: (c) =>
        page(
          'github',
          mergeRequestsOfCommit(c.project, c.params.sha!).map((m) => pull(c, m)),
          c,
        ),
    },
    // statuses.md "Create a commit status": `state` is required, one of error, failure, pending, success (else
    // 422); `context` defaults to "default"; the latest status per context is the one shown. Answers 201.
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['error', 'failure', 'pending', 'success'].includes(wanted)) return githubError(422, 'Validation Failed');
        const posted = postStatus(state, c, { name: str(c.body.context) || 'default', state: wanted });
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
  ];
}
