/** GitHub pull requests: the pull request, its reviews and its commits (pulls.md, pulls/reviews.md). */
import type { GithubKit } from './github-shapes.js';
import { githubError, ok, page, type Route } from './http.js';

export function githubPullRoutes({ shapes }: GithubKit): Route[] {
  const { prOf, pull, user, association } = shapes;
  return [
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
  ];
}
