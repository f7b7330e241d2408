import type { CommentResult, ForgePlatform } from './forge.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';

/** The comments of one merge request, as each platform reads and writes them. */
export interface CommentThread<C> {
  platform: ForgePlatform;
  /**
   * The comments our own user wrote, oldest first: anyone can post one that starts with our
   * marker, and only ours are safe to edit.
   */
  ours(): Promise<C[]>;
  bodyOf(comment: C): string | null | undefined;
  /** Where a comment is: its ID and, when known, a link to it. */
  refOf(comment: C): { id: number; url?: string };
  /**
   * Posts `posted`. After an ambiguous failure it may exist anyway: `findOurs` looks for it
   * (see createOnce) before posting again.
   */
  create(posted: string, findOurs: () => Promise<C | undefined>): Promise<C>;
  edit(comment: C, posted: string): Promise<void>;
}

/** Creates, updates or leaves the one comment marked `key` in `thread`. */
export async function upsertMarkedComment<C>(thread: CommentThread<C>, key: string, body: string): Promise<CommentResult> {
  const posted = withMarker(key, body);
  assertFits(thread.platform, key, posted);
  const bodyOf = (c: C) => thread.bodyOf(c);
  const plan = planUpsert(await thread.ours(), key, bodyOf, (c) => sameBody(bodyOf(c), posted));
  if (plan.action === 'create') {
    const created = await thread.create(posted, async () => findMarked(await thread.ours(), key, bodyOf));
    return { ...thread.refOf(created), action: 'created' };
  }
  if (plan.action === 'update') await thread.edit(plan.item, posted);
  return { ...thread.refOf(plan.item), action: plan.action === 'update' ? 'updated' : 'unchanged' };
}
