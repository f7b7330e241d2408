/** GitLab issues (issues.md); their notes are in gitlab-note-routes.ts. */

import type { GitlabKit } from './gitlab-shapes.js';
import { ascending, gitlabError, ok, ordered, page, type Route, str, withLabels } from './http.js';
import { openIssue } from './records.js';

const labelsOf = (v: unknown) =>
  str(v)
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);

export function gitlabIssueRoutes({ state, shapes }: GitlabKit): Route[] {
  return [
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
          ordered(issues, ascending('gitlab', c.query)).map((i) => shapes.issue(c, i)),
          c,
        );
      },
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues'],
      handle: (c) => {
        if (!str(c.body.title)) return gitlabError(400, { title: ["can't be blank"] });
        const created = openIssue(state, c, { title: str(c.body.title), body: str(c.body.description), labels: labelsOf(c.body.labels) });
        return ok(shapes.issue(c, created), 201);
      },
    },
    {
      method: 'PUT',
      pattern: ['projects', ':id', 'issues', ':iid'],
      handle: (c) => {
        const i = shapes.issueOf(c);
        if (!i) return gitlabError(404, '404 Not found');
        if (typeof c.body.title === 'string') i.title = c.body.title;
        if (typeof c.body.description === 'string') i.body = c.body.description;
        if (c.body.labels !== undefined) i.labels = labelsOf(c.body.labels);
        i.labels = [...new Set([...i.labels, ...labelsOf(c.body.add_labels)])].filter((l) => !labelsOf(c.body.remove_labels).includes(l));
        if (c.body.state_event === 'close') i.state = 'closed';
        if (c.body.state_event === 'reopen') i.state = 'open';
        return ok(shapes.issue(c, i));
      },
    },
  ];
}
