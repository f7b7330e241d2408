import { selectStacks } from '../../schedule/select.js';
import { describeHolder } from '../../state-lock/lock-holder.js';
import { openEngine } from '../context.js';
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
    cli,
    layout,
    names.map((n) => catalog.byName.get(n)!),
    { needsSecrets: false },
  );
  for (const name of names) {
    const removed = await engine.unlock(catalog.byName.get(name)!, { force: args.force });
    const what = removed.length === 0 ? 'no lock left' : `unlocked (removed the lock ${removed.map((h) => describeHolder(h)).join('; ')})`;
    cli.io.stderr(`[${name}] ${what}\n`);
  }
  return 0;
}
