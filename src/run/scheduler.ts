import type { Operation, StackResult } from '../engine/result.js';
import type { PlannedStack } from '../plan/plan.js';

export interface ScheduleOptions {
  operation: Operation;
  /** How many stacks run at once. */
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * Runs planned stacks as soon as what they depend on has succeeded, at most `concurrency`
 * at a time. A stack whose dependency failed is skipped (and so are its own dependents);
 * unrelated stacks carry on. Results come back in plan order.
 */
export async function schedule(
  stacks: readonly PlannedStack[],
  runOne: (name: string) => Promise<StackResult>,
  options: ScheduleOptions,
): Promise<StackResult[]> {
  const results = new Map<string, StackResult>();
  const pending = new Map(stacks.map((s) => [s.name, s]));
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, options.concurrency);
  const skip = (name: string, reason: string): void => {
    pending.delete(name);
    results.set(name, { name, operation: options.operation, status: 'skipped', changes: {}, resources: [], durationMs: 0, skipReason: reason });
  };

  const startReady = (): boolean => {
    let progressed = false;
    for (const [name, s] of pending) {
      const blocker = s.after.find((d) => results.has(d) && results.get(d)!.status !== 'succeeded');
      if (blocker) {
        const status = results.get(blocker)!.status;
        skip(name, `depends on ${blocker}, which ${status === 'skipped' ? 'was skipped' : status === 'cancelled' ? 'was cancelled' : 'failed'}`);
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
