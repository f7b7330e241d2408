/** GitLab commits: the merge requests of a commit, and commit statuses (commits.md). */

import type { GitlabKit } from './gitlab-shapes.js';
import { gitlabError, ok, page, type Route, str } from './http.js';
import { postStatus } from './records.js';
import { mergeRequestsOfCommit } from './state.js';

export function gitlabCommitRoutes({ state, shapes }: GitlabKit): Route[] {
  return [
    // commits.md "List merge requests associated with a commit": every MR containing it, whatever its state or target.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'repository', 'commits', ':sha', 'merge_requests'],
      handle: (c) =>
        page(
          'gitlab',
          mergeRequestsOfCommit(c.project, c.params.sha!).map((m) => shapes.mergeRequest(c, m)),
          c,
        ),
    },
    // commits.md "Set the pipeline status of a commit": `state` is required, one of pending, running, success,
    // failed, canceled (else 400); `name` defaults to "default"; `pipeline_id` picks the pipeline. Answers 201.
    {
      method: 'POST',
      pattern: ['projects', ':id', 'statuses', ':sha'],
      handle: (c) => {
        const wanted = str(c.body.state);
        if (!['pending', 'running', 'success', 'failed', 'canceled'].includes(wanted)) return gitlabError(400, 'state is missing');
        const name = str(c.body.name) || str(c.body.context) || 'default';
        // The status state machine refuses an active status the same transition again: pending -> pending is
        // 400 "Cannot transition status via :enqueue from :pending" (gitlab-org/gitlab-foss#25807).
        const latest = c.project.statuses.filter((x) => x.sha === c.params.sha && x.name === name).at(-1);
        if (latest && ['pending', 'running'].includes(latest.state) && latest.state === wanted) {
          const event = wanted === 'pending' ? 'enqueue' : 'run';
          return gitlabError(
            400,
            `Cannot transition status via :${event} from :${wanted} (Reason(s): Status cannot transition via "${event}")`,
          );
        }
        const pipelineId = c.body.pipeline_id === undefined ? undefined : Number(c.body.pipeline_id);
        const posted = postStatus(state, c, { name, state: wanted, pipelineId });
        return ok(
          {
            id: state.nextId(),
            sha: posted.sha,
            status: posted.state,
            name: posted.name,
            description: posted.description ?? null,
            target_url: posted.targetUrl ?? null,
            author: shapes.basicUser(posted.author),
            created_at: posted.createdAt,
          },
          201,
        );
      },
    },
  ];
}
