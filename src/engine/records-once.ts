import type { RecordNeeds, RecordRead } from '../backend-state/read-records.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { Engine } from './engine.js';

interface Held {
  /** Whether the read includes the stack's newest update. */
  latestUpdate: boolean;
  read: Promise<RecordRead>;
}

/**
 * `engine`, with each stack's deploy record read at most once for the run, however many checks
 * ask for it (the remediation guard's deployed commit, the ignore rules in force, pending
 * operations). `prefetch` stacks are read at once, in one batch (one listing of the backend),
 * with `needs`; a stack asked for later, or for more than was read, is read then. A record read
 * includes whatever a later check of the same run needs of it: its deployed commit and its state.
 */
export function recordsOnce(engine: Engine, needs: RecordNeeds, prefetch: readonly StackDefinition[] = []): Engine {
  const held = new Map<string, Held>();
  const read = (stacks: readonly StackDefinition[], asked: RecordNeeds = {}): Promise<Map<string, RecordRead>> => {
    const latestUpdate = asked.latestUpdate !== false;
    const missing = stacks.filter((s) => {
      const h = held.get(s.name);
      return !h || (latestUpdate && !h.latestUpdate);
    });
    if (missing.length > 0) {
      const batch = engine.deployRecords(missing, asked);
      for (const s of missing) {
        const one = batch.then((m) => m.get(s.name)!);
        // Held for a later check; a failed batch fails that check, not the process.
        one.catch(() => undefined);
        held.set(s.name, { latestUpdate, read: one });
      }
    }
    return Promise.all(stacks.map(async (s) => [s.name, await held.get(s.name)!.read] as const)).then((pairs) => new Map(pairs));
  };
  if (prefetch.length > 0) read(prefetch, needs).catch(() => undefined);
  return {
    run: (request, sink) => engine.run(request, sink),
    unlock: (stack, options) => engine.unlock(stack, options),
    recover: (request, sink) => engine.recover(request, sink),
    outputs: (stack) => engine.outputs(stack),
    deployRecords: read,
    lastDeployedCommit: async (stack) => {
      const one = (await read([stack], { latestUpdate: false })).get(stack.name)!;
      if (!one.ok) throw one.error;
      return one.deployedCommit;
    },
  };
}
