import { httpStatusOf } from './api-call.js';
import { sleep } from './retry-policy.js';

/*
 * A POST that failed without a clear answer (a 5xx from a proxy, a reset connection, a
 * timeout) may still have created the comment. Posting again blindly makes duplicates; so
 * after such a failure we look for our own marked comment first, and post again only when it
 * is not there.
 */

/** True when a failed create may have happened anyway: no answer, or a server error. */
export function ambiguousFailure(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status === undefined || status >= 500;
}

/**
 * `create`, made safe to repeat: after an ambiguous failure, `find` looks for what it would
 * have created (our own marked item) and returns it; otherwise it is created again, at most
 * `attempts` times in all. A clear refusal (4xx) is thrown at once.
 */
export async function createOnce<T>(
  create: () => Promise<T>,
  find: () => Promise<T | undefined>,
  options: { attempts?: number; pauseMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (err) {
      if (attempt >= attempts || !ambiguousFailure(err)) throw err;
      // The server may still be finishing the request that failed on the way back.
      await sleep((options.pauseMs ?? 500) * attempt);
      const found = await find();
      if (found !== undefined) return found;
    }
  }
}
