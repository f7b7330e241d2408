import { selectStacks } from '../../plan/select.js';
import { openEngine } from '../context.js';
import type { CliEnv } from '../io.js';
import type { UnlockArgs } from '../options.js';
import { openRepo } from '../repo.js';

/** `gitops unlock`: removes locks left behind by killed runs (`pulumi cancel`). */
export async function unlockCommand(args: UnlockArgs, cli: CliEnv): Promise<number> {
  const { layout, catalog } = await openRepo(cli, args);
  const names = selectStacks(catalog, { names: args.stack, all: args.all });
  const engine = await openEngine(cli, layout, names.map((n) => catalog.byName.get(n)!));
  for (const name of names) {
    await engine.unlock(catalog.byName.get(name)!);
    cli.io.stderr(`[${name}] unlocked\n`);
  }
  return 0;
}
