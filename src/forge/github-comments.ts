import { createOnce } from './create-once.js';
import { type GithubClient, noBlindRetry } from './github-client.js';
import { sameUser } from './identity.js';
import type { CommentThread } from './marked-comment.js';

interface GithubComment {
  id: number;
  body?: string;
  html_url: string;
  user?: { login: string } | null;
}

/**
 * The comments of pull request `issue_number` (pull requests are issues there). Ours are the
 * ones our own user wrote: people with write access may edit anyone's, so we never write into another's.
 */
export function githubComments(client: GithubClient, issue_number: number): CommentThread<GithubComment> {
  const { octokit, repo } = client;
  const { issues } = octokit.rest;
  const path = `/issues/${issue_number}/comments`;
  return {
    platform: 'github',
    ours: async () => {
      const all = await client.call('GET', path, () => octokit.paginate(issues.listComments, { ...repo, issue_number, per_page: 100 }));
      const self = await client.self();
      return all.filter((c) => sameUser(c.user ? { username: c.user.login } : undefined, self));
    },
    bodyOf: (c) => c.body,
    refOf: (c) => ({ id: c.id, url: c.html_url }),
    create: (posted, findOurs) =>
      client.call('POST', path, () =>
        createOnce(async () => (await issues.createComment({ ...repo, issue_number, body: posted, ...noBlindRetry })).data, findOurs),
      ),
    edit: async (c, posted) => {
      await client.call('PATCH', `/issues/comments/${c.id}`, () => issues.updateComment({ ...repo, comment_id: c.id, body: posted }));
    },
  };
}
