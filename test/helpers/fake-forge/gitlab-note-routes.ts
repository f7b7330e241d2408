/** GitLab notes on merge requests and issues (notes.md). */
import { commentHandlers, threadOf } from './comments.js';
import type { GitlabKit } from './gitlab-shapes.js';
import { ascending, gitlabError, ordered, type Route } from './http.js';
import { GITLAB_NOTE_MAX } from './model.js';

export function gitlabNoteRoutes({ state, shapes }: GitlabKit): Route[] {
  const notes = commentHandlers(state, {
    platform: 'gitlab',
    maxChars: GITLAB_NOTE_MAX,
    missing: () => gitlabError(400, '400 Bad request - body is missing'),
    tooLong: () => gitlabError(400, { note: [`is too long (maximum is ${GITLAB_NOTE_MAX} characters)`] }),
    notFound: () => gitlabError(404, '404 Not found'),
    // notes.md "Modify existing merge request note": only the note's author may edit it; anyone else gets 403.
    notAuthor: () => gitlabError(403, '403 Forbidden'),
    // `order_by` created_at (default) or updated_at; `sort` asc or desc (default).
    order: (c, comments) => {
      const sorted =
        c.query.get('order_by') === 'updated_at'
          ? [...comments].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
          : ordered(comments, true);
      return ascending('gitlab', c.query) ? sorted : sorted.reverse();
    },
    json: (_c, n, thread) => shapes.note(n, thread.number, thread.kind === 'issue' ? 'Issue' : 'MergeRequest'),
  });
  const mrThread = (c: Parameters<typeof threadOf>[0]) => threadOf(c, Number(c.params.iid), ['merge-request']);
  const mrNotes = ['projects', ':id', 'merge_requests', ':iid', 'notes'];
  return [
    { method: 'GET', pattern: mrNotes, handle: notes.list(mrThread) },
    { method: 'POST', pattern: mrNotes, handle: notes.create(mrThread) },
    {
      method: 'PUT',
      pattern: [...mrNotes, ':note'],
      handle: notes.edit((c) => {
        const thread = mrThread(c);
        const comment = thread?.comments.find((x) => x.id === Number(c.params.note));
        return thread && comment ? { thread, comment } : undefined;
      }),
    },
    {
      method: 'POST',
      pattern: ['projects', ':id', 'issues', ':iid', 'notes'],
      handle: notes.create((c) => threadOf(c, Number(c.params.iid), ['issue'])),
    },
  ];
}
