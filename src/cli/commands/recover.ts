import { recover } from '../../actions/recover.js';
import { recoverLines } from '../../report/recover-report.js';
import { actionContext } from '../context.js';
import { type CliEnv, printJson } from '../io.js';
import type { RecoverArgs } from '../options/state.js';

/** `gitops recover`: adopts (--import URN=ID) or forgets (--forget URN) a stack's pending operations and creates of unknown outcome. */
export async function recoverCommand(args: RecoverArgs, cli: CliEnv): Promise<number> {
  const ctx = await actionContext(cli, args);
  const outcome = await recover(ctx, { stack: args.stack, imports: args.import, forgets: args.forget });
  if (args.json) return printJson(cli.io, outcome);
  cli.io.stderr(`${recoverLines(outcome).join('\n')}\n`);
  return 0;
}
