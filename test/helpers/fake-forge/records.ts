/** What a create route records, the same on both platforms: a new issue, a posted commit status. */
import type { Call } from './http.js';
import type { FakeIssue, FakeStatus } from './model.js';
import { type FakeState, nextNumber } from './state.js';

type State = FakeState;

/** Opens an issue by the request's actor in the call's project. */
export function openIssue(state: State, c: Call, fields: { title: string; body: string; labels: string[] }): FakeIssue {
  const created: FakeIssue = {
    number: nextNumber(c.project),
    ...fields,
    author: c.actor.username,
    state: 'open',
    comments: [],
    createdAt: state.now(),
  };
  c.project.issues.push(created);
  return created;
}

/** Records a status on `:sha` by the request's actor; description and target URL come from the body. */
export function postStatus(state: State, c: Call, fields: { name: string; state: string; pipelineId?: number }): FakeStatus {
  const posted: FakeStatus = {
    sha: c.params.sha!,
    ...fields,
    description: typeof c.body.description === 'string' ? c.body.description : undefined,
    targetUrl: typeof c.body.target_url === 'string' ? c.body.target_url : undefined,
    author: c.actor.username,
    createdAt: state.now(),
  };
  c.project.statuses.push(posted);
  return posted;
}
