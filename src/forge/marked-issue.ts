import type { ForgePlatform, IssueContent, IssueRef, IssueResult } from './forge.js';
import { assertFits, findMarked, planUpsert, sameBody, withMarker } from './markers.js';
import type { RunCache } from './run-cache.js';

/** A project's issues, as each platform reads and writes them. */
export interface IssueTracker<I> {
  platform: ForgePlatform;
  /** The open issues our own user opened, read once per run and kept in step with our writes. */
  open: RunCache<I>;
  bodyOf(issue: I): string | null | undefined;
  titleOf(issue: I): string;
  labelsOf(issue: I): string[];
  refOf(issue: I): IssueRef;
  create(content: { title: string; body: string; labels: readonly string[] }): Promise<I>;
  /** Sets title and body and adds `addLabels`, keeping labels people added; answers the issue as it now is. */
  update(issue: I, content: { title: string; body: string }, addLabels: readonly string[]): Promise<I>;
  comment(issue: I, body: string): Promise<void>;
  close(issue: I): Promise<void>;
}

/** Opens, updates or leaves the one open issue marked `key`. */
export async function upsertMarkedIssue<I>(tracker: IssueTracker<I>, key: string, issue: IssueContent): Promise<IssueResult> {
  const posted = withMarker(key, issue.body);
  assertFits(tracker.platform, key, posted);
  const labels = issue.labels ?? [];
  const missingLabels = (i: I) => labels.filter((l) => !tracker.labelsOf(i).includes(l));
  const plan = planUpsert(
    await tracker.open.list(),
    key,
    (i) => tracker.bodyOf(i),
    (i) => tracker.titleOf(i) === issue.title && sameBody(tracker.bodyOf(i), posted) && missingLabels(i).length === 0,
  );
  if (plan.action === 'create') {
    const created = await tracker.create({ title: issue.title, body: posted, labels });
    await tracker.open.add(created);
    return { ...tracker.refOf(created), action: 'opened' };
  }
  if (plan.action === 'update') {
    const edited = await tracker.update(plan.item, { title: issue.title, body: posted }, missingLabels(plan.item));
    await tracker.open.replace(plan.item, edited);
  }
  return { ...tracker.refOf(plan.item), action: plan.action === 'update' ? 'updated' : 'unchanged' };
}

/** Closes the open issue marked `key`, with a last comment when given; undefined when none is open. */
export async function closeMarkedIssue<I>(tracker: IssueTracker<I>, key: string, comment?: string): Promise<IssueRef | undefined> {
  const open = findMarked(await tracker.open.list(), key, (i) => tracker.bodyOf(i));
  if (!open) return undefined;
  if (comment !== undefined) {
    assertFits(tracker.platform, key, comment);
    await tracker.comment(open, comment);
  }
  await tracker.close(open);
  await tracker.open.remove((i) => i === open);
  return tracker.refOf(open);
}
