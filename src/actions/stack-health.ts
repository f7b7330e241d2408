import type { HealthState } from '../api/status.js';
import { describePending } from '../backend-state/pending-operations.js';
import type { RecordRead } from '../backend-state/read-records.js';

/** The states that need a person before the stack can be trusted or deployed again: `status` exits 1 when any stack has one. */
export const needsPerson: ReadonlySet<string> = new Set<HealthState>(['unreadable', 'pending-operations', 'unknown-outcome', 'locked']);

export interface Health {
  state: HealthState;
  reasons: string[];
}

/**
 * The stack's health from its records, the gravest first: damage, then pending operations,
 * unknown outcomes, locks, and a partial deploy. Pure.
 */
export function healthOf(stack: string, read: RecordRead | undefined): Health | undefined {
  if (read === undefined) return undefined;
  if (!read.ok) return { state: 'unreadable', reasons: [read.error.message] };
  const r = read.record;
  if (r === undefined) return undefined;
  const pending = r.state?.pending ?? [];
  if (pending.length > 0) {
    return {
      state: 'pending-operations',
      reasons: [
        `${pending.length} pending operation${pending.length === 1 ? '' : 's'} from an interrupted run; \`gitops recover --stack ${stack}\` settles them`,
        ...pending.map(describePending),
      ],
    };
  }
  if (r.unknownOutcomes) {
    return {
      state: 'unknown-outcome',
      reasons: [`a run recorded creates whose outcome is unknown; \`gitops recover --stack ${stack}\` settles them`],
    };
  }
  const locks = [...(r.gitopsLock ? ['the gitops stack lock'] : []), ...r.pulumiLocks.map((l) => `Pulumi lock ${l}`)];
  if (locks.length > 0) {
    return {
      state: 'locked',
      reasons: [`locked by ${locks.join(', ')}: a run in progress, or one left by a killed run (\`gitops unlock --stack ${stack}\`)`],
    };
  }
  const live = r.state?.live ?? 0;
  if (read.deployedCommit === undefined && live > 0) {
    const last = r.latestUpdate;
    const why =
      last && last.result !== 'succeeded' ? `its last ${last.kind} ${last.result ?? 'did not finish'}` : 'no gitops deploy of it succeeded';
    return {
      state: 'partially-deployed',
      reasons: [`its state holds ${live} live resource${live === 1 ? '' : 's'}, but ${why}`],
    };
  }
  return undefined;
}

/** A line for a deployed stack whose newest update failed (it still runs its deployed commit); undefined otherwise. */
export function failedUpdateNote(read: RecordRead | undefined): string | undefined {
  const last = read?.ok ? read.record?.latestUpdate : undefined;
  if (!last || last.result === 'succeeded' || last.result === 'in-progress' || last.result === undefined) return undefined;
  const when = last.startTime ? ` at ${new Date(last.startTime * 1000).toISOString().replace(/\.\d+Z$/, 'Z')}` : '';
  return `its newest ${last.kind}${when} ${last.result}`;
}
