import { resourceName } from '../backend-state/urn-name.js';
import type { RecoverOutcome } from '../engine/recover-state.js';

/** What `gitops recover` did, one line each: adopted, forgotten, dropped and settled. */
export function recoverLines(outcome: RecoverOutcome): string[] {
  const nothing = outcome.pending.length === 0 && (outcome.unknown ?? []).length === 0;
  const lines = nothing ? [`[${outcome.name}] no pending operations or creates of unknown outcome: nothing to recover`] : [];
  for (const i of outcome.imported) {
    lines.push(
      i.exists
        ? `[${outcome.name}] adopted ${resourceName(i.urn)} (id ${i.id})`
        : `[${outcome.name}] ${resourceName(i.urn)}: the provider found nothing with id ${i.id}, ` +
            'so it is not in the state; the next deploy creates it',
    );
  }
  for (const urn of outcome.forgotten) lines.push(`[${outcome.name}] forgot the pending operation on ${resourceName(urn)}`);
  for (const op of outcome.dropped ?? [])
    lines.push(
      `[${outcome.name}] dropped, needing no decision: ${op.urn === '' ? 'a malformed entry naming no resource' : `the create of the stack's root ${resourceName(op.urn)}`}`,
    );
  for (const urn of outcome.settled ?? []) lines.push(`[${outcome.name}] settled the create of unknown outcome of ${resourceName(urn)}`);
  return lines;
}
