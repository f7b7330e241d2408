import { resolveBackendUrl } from '../../actions/open-engine.js';
import { type DriftEpisode, type DriftRecord, driftEpisodes, readRecords } from '../../drift/history.js';
import { openDriftHistoryStore } from '../../drift/open-history-store.js';
import { readRuns, type UnreadableRun } from '../../drift/stored-history.js';
import { userError } from '../../errors/gitops-error.js';
import type { CliEnv } from '../io.js';
import type { DriftHistoryArgs } from '../options.js';
import { layoutOf } from '../repo.js';

interface History {
  source: string;
  records: DriftRecord[];
  unreadable: UnreadableRun[];
}

/** The history kept with the state (one record per stack per run), as run records for the episodes. */
async function storedHistory(args: DriftHistoryArgs, cli: CliEnv): Promise<History> {
  const backendUrl = resolveBackendUrl(layoutOf(cli, args), cli.env);
  const store = await openDriftHistoryStore(backendUrl);
  if (!store) {
    throw userError(
      'USAGE',
      `the state backend ${backendUrl.split('?')[0]} keeps no drift history (only file:// and s3:// backends do)`,
      'pass --file with the file given to `gitops drift --history FILE`',
    );
  }
  const { records, unreadable } = await readRuns(store, args.stack);
  const runs = records.map((r) => ({
    time: r.time,
    ...(r.commit ? { commit: r.commit } : {}),
    stacks: [{ name: r.stack, status: r.status, action: r.action, drifted: r.drifted, deleted: r.deleted }],
  }));
  return { source: store.where(), records: runs, unreadable };
}

function episodeLine(e: DriftEpisode): string {
  const fixed = e.fixed ? `fixed ${e.fixed} (${e.fixedBy === 'remediation' ? 'remediated' : 'cleared'})` : 'STILL DRIFTED';
  const at = e.appearedAt ? ` at ${e.appearedAt.slice(0, 12)}` : '';
  return `${e.stack}: drift appeared ${e.appeared}${at}, ${fixed}; ${e.runs} run${e.runs === 1 ? '' : 's'}; resources: ${e.resources.join(', ') || '—'}\n`;
}

/**
 * `gitops drift history`: when drift appeared on each stack, and when it was fixed, from the
 * history kept with the state (any clone that can read the state reads the same), or `--file`.
 */
export async function driftHistoryCommand(args: DriftHistoryArgs, cli: CliEnv): Promise<number> {
  const history: History = args.file
    ? { source: args.file, records: await readRecords(args.file), unreadable: [] }
    : await storedHistory(args, cli);
  for (const u of history.unreadable) cli.io.stderr(`warning: drift history ${u.where}: not a drift record (${u.reason}); left out\n`);
  const episodes = driftEpisodes(history.records).filter((e) => !args.stack?.length || args.stack.includes(e.stack));
  // Each stored record is one stack's check; runs are counted by their time.
  const runs = new Set(history.records.map((r) => r.time)).size;
  if (args.json) {
    cli.io.stdout(`${JSON.stringify({ runs, episodes }, null, 2)}\n`);
    return 0;
  }
  cli.io.stdout(`${runs} drift run${runs === 1 ? '' : 's'} in ${history.source}\n`);
  for (const e of episodes) cli.io.stdout(episodeLine(e));
  if (episodes.length === 0) cli.io.stdout('no drift recorded\n');
  return 0;
}
