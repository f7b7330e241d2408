import { type GithubClient, noBlindRetry } from './github-client.js';
import { sameUser } from './identity.js';
import type { IssueTracker } from './marked-issue.js';
import { RunCache } from './run-cache.js';

interface GithubIssue {
  number: number;
  user?: { login: string } | null;
  title: string;
  body?: string | null;
  html_url: string;
  labels: (string | { name?: string })[];
  pull_request?: unknown;
}

const labelNames = (issue: GithubIssue): string[] => issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));

/**
 * The repository's issues. Ours are the open ones our own user opened, filtered by GitHub
 * (`creator`) and again here, since GitHub lists pull requests among issues and anyone can paste our marker.
 */
export function githubIssues(client: GithubClient): IssueTracker<GithubIssue> {
  const { octokit, repo } = client;
  const { issues } = octokit.rest;
  const openIssues = async (): Promise<GithubIssue[]> => {
    const self = await client.self();
    const all = await client.call('GET', '/issues', () =>
      octokit.paginate(issues.listForRepo, {
        ...repo,
        creator: self.username,
        state: 'open',
        sort: 'created',
        direction: 'asc',
        per_page: 100,
      }),
    );
    return all.filter((i) => !i.pull_request && sameUser(i.user ? { username: i.user.login } : undefined, self));
  };
  return {
    platform: 'github',
    open: new RunCache(openIssues),
    bodyOf: (i) => i.body,
    titleOf: (i) => i.title,
    labelsOf: labelNames,
    refOf: (i) => ({ number: i.number, url: i.html_url }),
    create: async ({ title, body, labels }) => {
      const { data } = await client.call('POST', '/issues', () =>
        issues.create({ ...repo, title, body, labels: [...labels], ...noBlindRetry }),
      );
      return data as GithubIssue;
    },
    update: async (i, { title, body }, adding) => {
      // `labels` in an update replaces the whole set: add ours instead, so labels people added stay
      // even when they were added after this run listed the issue.
      const issue_number = i.number;
      let { data } = await client.call('PATCH', `/issues/${issue_number}`, () => issues.update({ ...repo, issue_number, title, body }));
      if (adding.length > 0) {
        const added = await client.call('POST', `/issues/${issue_number}/labels`, () =>
          issues.addLabels({ ...repo, issue_number, labels: [...adding] }),
        );
        data = { ...data, labels: added.data };
      }
      return data as GithubIssue;
    },
    comment: async (i, body) => {
      await client.call('POST', `/issues/${i.number}/comments`, () =>
        issues.createComment({ ...repo, issue_number: i.number, body, ...noBlindRetry }),
      );
    },
    close: async (i) => {
      await client.call('PATCH', `/issues/${i.number}`, () =>
        issues.update({ ...repo, issue_number: i.number, state: 'closed', state_reason: 'completed' }),
      );
    },
  };
}
