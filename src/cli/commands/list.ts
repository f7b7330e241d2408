import { type CliEnv, printJson } from '../io.js';
import type { ListArgs } from '../options/repository.js';
import { openRepo } from '../repo.js';

/** `gitops list`: the stacks, their programs and dependencies. */
export async function listCommand(args: ListArgs, cli: CliEnv): Promise<number> {
  const { catalog } = await openRepo(cli, args);
  const stacks = catalog.stacks.map((s) => ({
    name: s.name,
    program: s.program,
    project: s.project,
    stack: s.stack,
    dependsOn: s.dependsOn,
  }));
  if (args.json) return printJson(cli.io, { stacks });
  for (const s of stacks) {
    cli.io.stdout(
      `${s.name}\t${s.program}\t${s.project}/${s.stack}${s.dependsOn.length ? `\tdepends on ${s.dependsOn.join(', ')}` : ''}\n`,
    );
  }
  return 0;
}
