import { unlock } from '../../actions/unlock.js';
import { unlockLine } from '../../report/unlock-report.js';
import { engineHost } from '../context.js';
import type { CliEnv } from '../io.js';
import type { UnlockArgs } from '../options/state.js';
import { openRepo } from '../repo.js';

/**
 * `gitops unlock`: removes locks left behind by killed runs. Refuses while the holder runs on
 * this host; a holder on another host needs `--force`.
 */
export async function unlockCommand(args: UnlockArgs, cli: CliEnv): Promise<number> {
  await unlock(engineHost(cli), await openRepo(cli, args), { stacks: args.stack, all: args.all, force: args.force }, (name, removed) =>
    cli.io.stderr(`${unlockLine(name, removed)}\n`),
  );
  return 0;
}
