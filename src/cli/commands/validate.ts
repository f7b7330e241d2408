import { validate } from '../../actions/validate.js';
import { GitopsError } from '../../errors/gitops-error.js';
import { formatDiagnostic } from '../../stacks/diagnostic.js';
import type { CliEnv } from '../io.js';
import type { ValidateArgs } from '../options.js';
import { layoutOf } from '../repo.js';

/** `gitops validate`: checks every stack file and reports every problem. */
export async function validateCommand(args: ValidateArgs, cli: CliEnv): Promise<number> {
  const result = await validate(layoutOf(cli, args), { programs: cli.env });
  if (args.json) cli.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.valid) {
    const n = result.problems.length;
    throw new GitopsError({
      code: 'STACK_INVALID',
      kind: 'user',
      message: `${n} problem${n > 1 ? 's' : ''} in stack definitions`,
      details: result.problems.map(formatDiagnostic),
    });
  }
  cli.io.stderr(`${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} valid: ${result.stacks.join(', ')}\n`);
  return 0;
}
