import { driftHistory } from '../../actions/drift-history.js';
import { driftHistoryText } from '../../report/drift-history-report.js';
import { type CliEnv, printJson } from '../io.js';
import type { DriftHistoryArgs } from '../options/drift.js';
import { layoutOf } from '../repo.js';

/**
 * `gitops drift history`: when drift appeared on each stack, and when it was fixed, from the
 * history kept with the state (any clone that can read the state reads the same), or `--file`.
 */
export async function driftHistoryCommand(args: DriftHistoryArgs, cli: CliEnv): Promise<number> {
  const history = await driftHistory(() => layoutOf(cli, args), cli.env, {
    ...(args.file ? { file: args.file } : {}),
    ...(args.stack ? { stacks: args.stack } : {}),
  });
  for (const u of history.unreadable) cli.io.stderr(`warning: drift history ${u.where}: not a drift record (${u.reason}); left out\n`);
  if (args.json) return printJson(cli.io, { runs: history.runs, episodes: history.episodes });
  cli.io.stdout(driftHistoryText(history));
  return 0;
}
