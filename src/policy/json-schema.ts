import { z } from 'zod';
import { policySettingsSchema } from './settings.js';

/** The JSON Schema of `gitops.policies` in the root Pulumi.yaml: which packs apply to which stacks, with their config. */
export function policySettingsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(policySettingsSchema, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://pulumi-gitops.local/policies.schema.json',
    title: 'GitOps policy settings (gitops.policies in the root Pulumi.yaml): pack folder name under policies/ to its rule',
  };
}
