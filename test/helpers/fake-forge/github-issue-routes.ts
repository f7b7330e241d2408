/** GitHub issues and their labels (issues.md, labels.md); their comments are in github-comment-routes.ts. */
import { type GithubKit, tooLong } from './github-shapes.js';
import { ascending, githubError, ok, page, type Route, str, withLabels } from './http.js';
import { GITHUB_BODY_MAX } from './model.js';
import { openIssue } from './records.js';

const labelsOf = (v: unknown) => (Array.isArray(v) ? v.map((l) => (typeof l === 'string' ? l : str((l as { name?: unknown }).name))) : []);

export function githubIssueRoutes({ state, shapes }: GithubKit): Route[] {
  const { issue, issueOf, prAsIssue } = shapes;
  return [
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
        const created = openIssue(state, c, { title: str(c.body.title), body: str(c.body.body), labels: labelsOf(c.body.labels) });
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
    // labels.md "Add labels to an issue": adds to the issue's labels, keeping the ones it has; answers them all.
    {
      method: 'POST',
      pattern: ['repos', ':owner', ':repo', 'issues', ':number', 'labels'],
      handle: (c) => {
        const labels = issueOf(c)?.labels;
        if (!labels) return githubError(404, 'Not Found');
        const wanted = Array.isArray(c.body.labels) ? c.body.labels.map(String) : [];
        for (const l of wanted) if (!labels.includes(l)) labels.push(l);
        return ok(labels.map((name, i) => ({ id: i + 1, name })));
      },
    },
  ];
}
