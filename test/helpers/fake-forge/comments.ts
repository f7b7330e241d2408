/**
 * The comment threads of merge requests and issues, the same on both platforms: list a thread
 * a page at a time, post to it, edit one comment. What differs (error bodies, JSON shape, sort
 * parameters, who may edit) comes in as {@link CommentRules}.
 */
import { type Call, type Handler, page, type Reply, str } from './http.js';
import type { FakeComment, FakePlatform } from './model.js';
import type { FakeState } from './state.js';

/** A merge request's or an issue's comments. */
export interface Thread {
  number: number;
  kind: 'merge-request' | 'issue';
  comments: FakeComment[];
}

export interface CommentRules {
  platform: FakePlatform;
  maxChars: number;
  /** The answer to a missing body, to a body over `maxChars`, to an unknown thread or comment. */
  missing(): Reply;
  tooLong(): Reply;
  notFound(): Reply;
  /**
   * The answer to an edit of someone else's comment; undefined where the platform allows it
   * (GitHub lets anyone with write access edit any comment; GitLab only the note's author).
   */
  notAuthor?: () => Reply;
  /** The thread's comments in the order the request asks for. */
  order(call: Call, comments: readonly FakeComment[]): FakeComment[];
  /** A comment as the platform shows it. */
  json(call: Call, comment: FakeComment, thread: Thread): unknown;
}

/** The list, create and edit handlers of one platform's comments. */
export function commentHandlers(state: FakeState, rules: CommentRules) {
  /** A comment by the request's actor, or the platform's refusal of its body. */
  const written = (c: Call): FakeComment | Reply => {
    const text = str(c.body.body);
    if (!text) return rules.missing();
    if (text.length > rules.maxChars) return rules.tooLong();
    const at = state.now();
    return { id: state.nextId(), body: text, author: c.actor.username, system: false, createdAt: at, updatedAt: at };
  };
  return {
    list:
      (threadOf: (c: Call) => Thread | undefined): Handler =>
      (c) => {
        const thread = threadOf(c);
        if (!thread) return rules.notFound();
        return page(
          rules.platform,
          rules.order(c, thread.comments).map((x) => rules.json(c, x, thread)),
          c,
        );
      },
    create:
      (threadOf: (c: Call) => Thread | undefined): Handler =>
      (c) => {
        const thread = threadOf(c);
        if (!thread) return rules.notFound();
        const x = written(c);
        if ('status' in x) return x;
        thread.comments.push(x);
        return { status: 201, body: rules.json(c, x, thread) };
      },
    edit:
      (find: (c: Call) => { thread: Thread; comment: FakeComment } | undefined): Handler =>
      (c) => {
        const found = find(c);
        if (!found) return rules.notFound();
        if (rules.notAuthor && found.comment.author !== c.actor.username) return rules.notAuthor();
        const updated = written(c);
        if ('status' in updated) return updated;
        Object.assign(found.comment, { body: updated.body, updatedAt: updated.updatedAt });
        return { status: 200, body: rules.json(c, found.comment, found.thread) };
      },
  };
}

/** The thread of merge request or issue `number` of the call's project, if there is one. */
export function threadOf(c: Call, number: number, kinds: readonly Thread['kind'][]): Thread | undefined {
  for (const kind of kinds) {
    const list = kind === 'merge-request' ? c.project.mergeRequests : c.project.issues;
    const found = list.find((x) => x.number === number);
    if (found) return { number, kind, comments: found.comments };
  }
  return undefined;
}
