import { z } from 'zod';
import { stackFileSchema } from './schema.js';

/** The JSON Schema of stack files, for editors (`# yaml-language-server: $schema=./stack.schema.json`). */
export function stackJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(stackFileSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://pulumi-gitops.local/stack.schema.json',
    title: 'GitOps stack definition (stacks/<name>.yaml)',
  };
}
