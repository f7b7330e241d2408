import { stackSchemaText, writeSchemas } from '../../actions/schema.js';
import type { CliEnv } from '../io.js';
import type { SchemaArgs } from '../options/repository.js';
import { layoutOf } from '../repo.js';

/**
 * `gitops schema`: prints, or writes to stacks/stack.schema.json, the generated JSON Schema of
 * stack files; `--write` also writes that of the policy settings to policies/policies.schema.json.
 */
export async function schemaCommand(args: SchemaArgs, cli: CliEnv): Promise<number> {
  if (!args.write) {
    cli.io.stdout(stackSchemaText());
    return 0;
  }
  for (const file of await writeSchemas(layoutOf(cli, args))) cli.io.stderr(`wrote ${file}\n`);
  return 0;
}
