import { createOnce } from './create-once.js';
import type { GitlabClient, GitlabUser } from './gitlab-client.js';
import { oldestFirst, userOf } from './gitlab-client.js';
import { sameUser } from './identity.js';
import type { CommentThread } from './marked-comment.js';

interface GitlabNote {
  id: number;
  body: string;
  system?: boolean;
  author?: GitlabUser;
}

/**
 * The notes of merge request `iid`. Ours are the ones our own user wrote: GitLab lets only a
 * note's author edit it, and system notes ("added 1 commit") are never ours.
 */
export function gitlabNotes(client: GitlabClient, iid: number): CommentThread<GitlabNote> {
  const { ctx, rest } = client;
  const path = `/merge_requests/${iid}/notes`;
  return {
    platform: 'gitlab',
    ours: async () => {
      const notes = (await client.call('GET', path, () => rest.notes.all(ctx.project, iid, oldestFirst))) as unknown as GitlabNote[];
      const self = await client.self();
      return notes.filter((n) => !n.system && sameUser(userOf(n.author), self));
    },
    bodyOf: (n) => n.body,
    refOf: (n) => ({ id: n.id, url: ctx.projectUrl ? `${ctx.projectUrl}/-/merge_requests/${iid}#note_${n.id}` : undefined }),
    create: (posted, findOurs) =>
      client.call('POST', path, () =>
        createOnce(async () => (await rest.notes.create(ctx.project, iid, posted)) as unknown as GitlabNote, findOurs),
      ),
    edit: async (n, posted) => {
      await client.call('PUT', `${path}/${n.id}`, () => rest.notes.edit(ctx.project, iid, n.id, { body: posted }));
    },
  };
}
