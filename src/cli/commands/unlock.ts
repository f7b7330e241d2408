import { openEngine } from '../../actions/open-engine.js';
import { unlockLine } from '../../report/unlock-report.js';
import { selectStacks } from '../../schedule/select.js';
import { engineHost } from '../context.js';
import type { CliEnv } from '../io.js';
import type { UnlockArgs } from '../options.js';
import { openRepo } from '../repo.js';

/**
 * `gitops unlock`: removes locks left behind by killed runs. Refuses while the holder runs on
 * this host; a holder on another host needs `--force`.
 */
export async function unlockCommand(args: UnlockArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const names = selectStacks(catalog, { names: args.stack, all: args.all });
  // Removing a lock decrypts nothing, so it asks for no passphrase.
  const engine = await openEngine(
    engineHost(cli),
    layout,
    names.map((n) => catalog.byName.get(n)!),
    { needsSecrets: false },
  );
  for (const name of names) {
    const removed = await engine.unlock(catalog.byName.get(name)!, { force: args.force });
    cli.io.stderr(`${unlockLine(name, removed)}\n`);
  }
  return 0;
}
