import { selectStacks } from '../schedule/select.js';
import type { LockHolder } from '../state-lock/lock-holder.js';
import { type EngineHost, openEngine } from './open-engine.js';
import type { Repo } from './repo.js';

export interface UnlockRequest {
  stacks?: readonly string[];
  all?: boolean;
  /** Also remove a lock whose holder runs on another host. */
  force?: boolean;
}

/**
 * `gitops unlock`: removes the locks killed runs left behind, refusing while the holder runs on
 * this host (and, without `force`, one held from another host). `onStack` hears the locks removed from each
 * selected stack, in order.
 */
export async function unlock(
  host: EngineHost,
  repo: Repo,
  request: UnlockRequest,
  onStack: (stack: string, removed: readonly LockHolder[]) => void,
): Promise<void> {
  const { layout, catalog } = repo;
  const defs = selectStacks(catalog, { names: request.stacks, all: request.all }).map((n) => catalog.byName.get(n)!);
  // Removing a lock decrypts nothing, so it asks for no passphrase.
  const engine = await openEngine(host, layout, defs, { needsSecrets: false });
  for (const def of defs) onStack(def.name, await engine.unlock(def, { force: request.force }));
}
