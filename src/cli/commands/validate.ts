import { invalidStacksError, validate } from '../../actions/validate.js';
import type { CliEnv } from '../io.js';
import type { ValidateArgs } from '../options/repository.js';
import { layoutOf } from '../repo.js';

/** `gitops validate`: checks every stack file and reports every problem. */
export async function validateCommand(args: ValidateArgs, cli: CliEnv): Promise<number> {
  const result = await validate(layoutOf(cli, args), { programs: cli.env });
  if (args.json) cli.io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  if (!result.valid) throw invalidStacksError(result);
  cli.io.stderr(`${result.stacks.length} stack${result.stacks.length === 1 ? '' : 's'} valid: ${result.stacks.join(', ')}\n`);
  return 0;
}
