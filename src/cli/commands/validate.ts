import { GitopsError } from '../../errors/gitops-error.js';
import { formatDiagnostic } from '../../stacks/diagnostic.js';
import { inspectStacks } from '../../stacks/load.js';
import { findLayout } from '../../repo/layout.js';
import type { CliEnv } from '../io.js';
import type { GlobalArgs } from '../options.js';

/** `gitops validate`: checks every stack file and reports every problem. */
export async function validateCommand(args: GlobalArgs, cli: CliEnv): Promise<number> {
  const layout = findLayout(args.cwd ?? cli.cwd, args.stacks);
  const { stacks, diagnostics } = await inspectStacks(layout);
  if (args.json) cli.io.stdout(`${JSON.stringify({ valid: diagnostics.length === 0, stacks: stacks.map((s) => s.name), problems: diagnostics }, null, 2)}\n`);
  if (diagnostics.length > 0) {
    throw new GitopsError({ code: 'STACK_INVALID', kind: 'user', message: `${diagnostics.length} problem${diagnostics.length > 1 ? 's' : ''} in stack definitions`, details: diagnostics.map(formatDiagnostic) });
  }
  cli.io.stderr(`${stacks.length} stack${stacks.length === 1 ? '' : 's'} valid: ${stacks.map((s) => s.name).join(', ')}\n`);
  return 0;
}
