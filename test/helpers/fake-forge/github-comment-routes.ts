/** GitHub issue comments, on issues and pull requests alike (issues/comments.md). */
import { commentHandlers, threadOf } from './comments.js';
import { type GithubKit, tooLong } from './github-shapes.js';
import { type Call, githubError, ordered, type Route } from './http.js';
import { GITHUB_BODY_MAX } from './model.js';

export function githubCommentRoutes({ state, shapes }: GithubKit): Route[] {
  const comments = commentHandlers(state, {
    platform: 'github',
    maxChars: GITHUB_BODY_MAX,
    missing: () => githubError(422, 'Validation Failed'),
    tooLong,
    notFound: () => githubError(404, 'Not Found'),
    // Oldest first, always.
    order: (_c, list) => ordered(list, true),
    json: (c, x, thread) => shapes.comment(c, x, thread),
  });
  // A pull request is an issue there: its number names either.
  const thread = (c: Call) => threadOf(c, Number(c.params.number), ['merge-request', 'issue']);
  const pattern = ['repos', ':owner', ':repo', 'issues', ':number', 'comments'];
  return [
    { method: 'GET', pattern, handle: comments.list(thread) },
    { method: 'POST', pattern, handle: comments.create(thread) },
    // issues/comments.md "Update an issue comment": people with write access may edit anyone's comment, so a
    // comment we wrote into is one its author can edit back: we must never write into another's.
    {
      method: 'PATCH',
      pattern: ['repos', ':owner', ':repo', 'issues', 'comments', ':id'],
      handle: comments.edit((c) => {
        const threads = [
          ...c.project.mergeRequests.map((m) => ({ number: m.number, kind: 'merge-request' as const, comments: m.comments })),
          ...c.project.issues.map((i) => ({ number: i.number, kind: 'issue' as const, comments: i.comments })),
        ];
        for (const t of threads) {
          const comment = t.comments.find((x) => x.id === Number(c.params.id));
          if (comment) return { thread: t, comment };
        }
        return undefined;
      }),
    },
  ];
}
