import type { DriftReport } from '../api/drift-report.js';
import type { Engine } from '../engine/engine.js';
import type { StackCatalog } from '../stacks/load.js';

/**
 * Drift reports that do not hide an interrupted run: a refresh preview of a stack with pending
 * operations compares only what the state tracks, so "no drift" there is not known. Such a
 * stack's report is `blocked`, saying how many operations are pending and how to settle them.
 * The stacks' records as the run read them (see `recordsOnce`): the state, not the newest
 * update. A record that cannot be read leaves its report as it is (the drift run itself read
 * the state). Pure but for that read.
 */
export async function withPendingOperations(reports: DriftReport[], engine: Engine, catalog: StackCatalog): Promise<DriftReport[]> {
  const checked = reports.filter((r) => r.status === 'succeeded');
  if (checked.length === 0) return reports;
  const records = await engine.deployRecords(
    checked.map((r) => catalog.byName.get(r.name)!),
    { latestUpdate: false },
  );
  return reports.map((r) => {
    const read = records.get(r.name);
    const pending = read?.ok ? (read.record?.state?.pending ?? []) : [];
    if (r.status !== 'succeeded' || pending.length === 0) return r;
    const what = `${pending.length} pending operation${pending.length === 1 ? '' : 's'} from an interrupted run`;
    const blockedReason =
      `${what} (${pending.map((p) => `${p.operation} ${p.urn}`).join(', ')}): drift cannot be known until ` +
      `\`gitops recover --stack ${r.name}\` settles ${pending.length === 1 ? 'it' : 'them'}`;
    return { ...r, action: r.action === 'remediated' ? r.action : 'blocked', blockedReason };
  });
}
