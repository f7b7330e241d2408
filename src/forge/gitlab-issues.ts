import type { GitlabClient, GitlabUser } from './gitlab-client.js';
import { oldestFirst, userOf } from './gitlab-client.js';
import { sameUser } from './identity.js';
import type { IssueTracker } from './marked-issue.js';
import { RunCache } from './run-cache.js';

interface GitlabIssue {
  iid: number;
  author?: GitlabUser;
  title: string;
  description: string | null;
  labels: unknown[];
  web_url: string;
}

/** The project's issues. Ours are the open ones our own user opened: one planted by someone else with our marker is not ours. */
export function gitlabIssues(client: GitlabClient): IssueTracker<GitlabIssue> {
  const { ctx, rest } = client;
  const openIssues = async (): Promise<GitlabIssue[]> => {
    const self = await client.self();
    const all = (await client.call('GET', '/issues', () =>
      rest.issues.all({ projectId: ctx.project, state: 'opened', authorId: self.id, ...oldestFirst }),
    )) as unknown as GitlabIssue[];
    return all.filter((i) => sameUser(userOf(i.author), self));
  };
  return {
    platform: 'gitlab',
    open: new RunCache(openIssues),
    bodyOf: (i) => i.description,
    titleOf: (i) => i.title,
    labelsOf: (i) => i.labels.filter((l): l is string => typeof l === 'string'),
    refOf: (i) => ({ number: i.iid, url: i.web_url }),
    create: async ({ title, body, labels }) =>
      (await client.call('POST', '/issues', () =>
        rest.issues.create(ctx.project, title, { description: body, labels: labels.join(',') }),
      )) as unknown as GitlabIssue,
    update: async (i, { title, body }, adding) => {
      const addLabels = adding.join(',');
      return (await client.call('PUT', `/issues/${i.iid}`, () =>
        rest.issues.edit(ctx.project, i.iid, { title, description: body, ...(addLabels ? { addLabels } : {}) }),
      )) as unknown as GitlabIssue;
    },
    comment: async (i, body) => {
      await client.call('POST', `/issues/${i.iid}/notes`, () => rest.issueNotes.create(ctx.project, i.iid, body));
    },
    close: async (i) => {
      await client.call('PUT', `/issues/${i.iid}`, () => rest.issues.edit(ctx.project, i.iid, { stateEvent: 'close' }));
    },
  };
}
