import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { policySettingsJsonSchema } from '../policy/json-schema.js';
import type { RepoLayout } from '../repo/layout.js';
import { stackJsonSchema } from '../stacks/json-schema.js';

const asText = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;

/** The generated JSON Schema of stack files, as text. */
export function stackSchemaText(): string {
  return asText(stackJsonSchema());
}

/**
 * `gitops schema --write`: writes the stack files' schema to stacks/stack.schema.json and, when
 * the repository has a policies/ folder, the policy settings' to policies/policies.schema.json.
 * Returns the files written.
 */
export async function writeSchemas(layout: RepoLayout): Promise<string[]> {
  const file = path.join(layout.stacksDir, 'stack.schema.json');
  await writeFile(file, stackSchemaText());
  const policies = path.join(path.dirname(path.dirname(file)), 'policies');
  if (!existsSync(policies)) return [file];
  const policyFile = path.join(policies, 'policies.schema.json');
  await writeFile(policyFile, asText(policySettingsJsonSchema()));
  return [file, policyFile];
}
