import { initRepository } from '../../actions/init.js';
import type { CliEnv } from '../io.js';
import type { InitArgs } from '../options/repository.js';

/** `gitops init`: sets up an existing git repository; prints what it wrote and the next steps. */
export async function initCommand(args: InitArgs, cli: CliEnv): Promise<number> {
  const result = await initRepository({ cwd: args.cwd ?? cli.cwd, ci: args.ci, name: args.name, backend: args.backend });
  const lines: string[] = [];
  if (result.written.length === 0 && result.gitignoreAdded.length === 0) lines.push(`${result.root} is already set up: nothing written`);
  for (const f of result.written) lines.push(`wrote ${f}`);
  if (result.gitignoreAdded.length > 0) lines.push(`added to .gitignore: ${result.gitignoreAdded.join(' ')}`);
  lines.push('', 'Next steps:', ...result.nextSteps.map((s) => (s.startsWith('  ') ? `   ${s}` : ` - ${s}`)));
  cli.io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
