import { driftEpisodes, readRecords } from '../../drift/history.js';
import type { CliEnv } from '../io.js';
import type { DriftHistoryArgs } from '../options.js';

/** `gitops drift history --file F`: when drift appeared on each stack, and when it was fixed. */
export async function driftHistoryCommand(args: DriftHistoryArgs, cli: CliEnv): Promise<number> {
  const records = await readRecords(args.file);
  const episodes = driftEpisodes(records).filter((e) => !args.stack?.length || args.stack.includes(e.stack));
  if (args.json) {
    cli.io.stdout(`${JSON.stringify({ runs: records.length, episodes }, null, 2)}\n`);
    return 0;
  }
  cli.io.stdout(`${records.length} drift run${records.length === 1 ? '' : 's'} in ${args.file}\n`);
  for (const e of episodes) {
    const fixed = e.fixed ? `fixed ${e.fixed} (${e.fixedBy === 'remediation' ? 'remediated' : 'cleared'})` : 'STILL DRIFTED';
    cli.io.stdout(
      `${e.stack}: drift appeared ${e.appeared}${e.appearedAt ? ` at ${e.appearedAt.slice(0, 12)}` : ''}, ${fixed}; ${e.runs} run${e.runs === 1 ? '' : 's'}; resources: ${e.resources.join(', ') || '—'}\n`,
    );
  }
  if (episodes.length === 0) cli.io.stdout('no drift recorded\n');
  return 0;
}
