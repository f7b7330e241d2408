import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { policySettingsJsonSchema } from '../../policy/json-schema.js';
import { findLayout } from '../../repo/layout.js';
import { stackJsonSchema } from '../../stacks/json-schema.js';
import type { CliEnv } from '../io.js';
import type { SchemaArgs } from '../options.js';

/**
 * `gitops schema`: prints, or writes to stacks/stack.schema.json, the generated JSON Schema of
 * stack files; `--write` also writes that of the policy settings to policies/policies.schema.json.
 */
export async function schemaCommand(args: SchemaArgs, cli: CliEnv): Promise<number> {
  const text = `${JSON.stringify(stackJsonSchema(), null, 2)}\n`;
  if (!args.write) {
    cli.io.stdout(text);
    return 0;
  }
  const file = path.join(findLayout(args.cwd ?? cli.cwd, args.stacks).stacksDir, 'stack.schema.json');
  await writeFile(file, text);
  cli.io.stderr(`wrote ${file}\n`);
  const policies = path.join(path.dirname(path.dirname(file)), 'policies');
  if (existsSync(policies)) {
    const policyFile = path.join(policies, 'policies.schema.json');
    await writeFile(policyFile, `${JSON.stringify(policySettingsJsonSchema(), null, 2)}\n`);
    cli.io.stderr(`wrote ${policyFile}\n`);
  }
  return 0;
}
