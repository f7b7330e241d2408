import type { StackStatus } from '../engine/result.js';
import type { PlannedStack } from './plan.js';

/** What the scheduler needs to know of a result: whether the stack succeeded. */
export interface Scheduled {
  status: StackStatus;
}

export interface ScheduleOptions<R extends Scheduled> {
  /** How many stacks run at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** The result of a stack that never ran, and why (a dependency failed, cancelled before it started). */
  skipped: (name: string, reason: string) => R;
}

/**
 * Runs planned stacks as soon as what they depend on has succeeded, at most `concurrency`
 * at a time. A stack whose dependency did not succeed is skipped (and so are its own
 * dependents); unrelated stacks carry on. After the signal aborts, nothing new starts.
 * Results come back in plan order, whatever their type.
 */
export async function schedule<R extends Scheduled>(
  stacks: readonly PlannedStack[],
  runOne: (name: string) => Promise<R>,
  options: ScheduleOptions<R>,
): Promise<R[]> {
  const results = new Map<string, R>();
  const pending = new Map(stacks.map((s) => [s.name, s]));
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, options.concurrency);
  const skip = (name: string, reason: string): void => {
    pending.delete(name);
    results.set(name, options.skipped(name, reason));
  };

  const startReady = (): boolean => {
    let progressed = false;
    for (const [name, s] of pending) {
      const blocker = s.after.find((d) => results.has(d) && results.get(d)!.status !== 'succeeded');
      if (blocker) {
        const status = results.get(blocker)!.status;
        skip(
          name,
          `depends on ${blocker}, which ${status === 'skipped' ? 'was skipped' : status === 'cancelled' ? 'was cancelled' : 'failed'}`,
        );
        progressed = true;
      } else if (options.signal?.aborted) {
        skip(name, 'cancelled before it started');
        progressed = true;
      } else if (running.size < limit && s.after.every((d) => results.get(d)?.status === 'succeeded')) {
        pending.delete(name);
        running.set(
          name,
          runOne(name).then((r) => {
            results.set(name, r);
            running.delete(name);
          }),
        );
        progressed = true;
      }
    }
    return progressed;
  };

  for (;;) {
    while (startReady()) {
      // Keep going until a pass starts and skips nothing more.
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  // A valid plan leaves nothing pending; this guards against a dependency outside the plan.
  for (const name of [...pending.keys()]) skip(name, 'its dependencies never ran');
  return stacks.map((s) => results.get(s.name)!);
}
