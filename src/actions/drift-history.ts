import type { DriftEpisode } from '../api/drift-report.js';
import { resolveBackendUrl } from '../backend/backend-url.js';
import { type DriftRecord, driftEpisodes, readRecords } from '../drift/history.js';
import { openDriftHistoryStore } from '../drift/open-history-store.js';
import { readRuns, type UnreadableRun } from '../drift/stored-history.js';
import { userError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';

/** When drift appeared on each stack and when it was fixed, from one history. */
export interface DriftHistory {
  /** Where the history was read: the state backend's drift folder, or the file. */
  source: string;
  /** How many drift runs it records. */
  runs: number;
  episodes: DriftEpisode[];
  /** Stored objects that are not drift records, left out. */
  unreadable: UnreadableRun[];
}

/** The history kept with the state (one record per stack per run), as run records for the episodes. */
async function storedHistory(
  layout: RepoLayout,
  env: NodeJS.ProcessEnv,
  stacks: readonly string[] | undefined,
): Promise<{ source: string; records: DriftRecord[]; unreadable: UnreadableRun[] }> {
  const backendUrl = resolveBackendUrl(layout, env);
  const store = await openDriftHistoryStore(backendUrl);
  if (!store) {
    throw userError(
      'USAGE',
      `the state backend ${backendUrl.split('?')[0]} keeps no drift history (only file:// and s3:// backends do)`,
      'pass --file with the file given to `gitops drift --history FILE`',
    );
  }
  const { records, unreadable } = await readRuns(store, stacks);
  const runs = records.map((r) => ({
    time: r.time,
    ...(r.commit ? { commit: r.commit } : {}),
    stacks: [{ name: r.stack, status: r.status, action: r.action, drifted: r.drifted, deleted: r.deleted }],
  }));
  return { source: store.where(), records: runs, unreadable };
}

/**
 * `gitops drift history`: from the history kept with the state (any clone that can read the
 * state reads the same), or from `file` (written by `gitops drift --history FILE`).
 */
export async function driftHistory(
  layout: () => RepoLayout,
  env: NodeJS.ProcessEnv,
  request: { file?: string; stacks?: readonly string[] },
): Promise<DriftHistory> {
  const history = request.file
    ? { source: request.file, records: await readRecords(request.file), unreadable: [] }
    : await storedHistory(layout(), env, request.stacks);
  const { stacks } = request;
  const episodes = driftEpisodes(history.records).filter((e) => !stacks?.length || stacks.includes(e.stack));
  // Each stored record is one stack's check; runs are counted by their time.
  const runs = new Set(history.records.map((r) => r.time)).size;
  return { source: history.source, runs, episodes, unreadable: history.unreadable };
}
