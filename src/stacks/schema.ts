import { z } from 'zod';

/**
 * The schema of one stack file, `stacks/<name>.yaml`. The file name is the stack's id.
 * Config keys and values use Pulumi's own forms (`namespace:key`, `{secure: v1:...}`), so a
 * `config:` block can be copied to and from a `Pulumi.<stack>.yaml` unchanged.
 */

/** A stack id, also the file name: lower-case words joined by dashes, dots or underscores. */
export const stackIdPattern = /^[a-z0-9][a-z0-9._-]*$/;
const pulumiNamePattern = /^[A-Za-z0-9_.-]+$/;
const configKeyPattern = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.\-/[\]"]+)?$/;

const secureValue = z
  .object({ secure: z.string().startsWith('v1:', 'a secure value is ciphertext made by `pulumi config set --secret` and starts with "v1:"') })
  .strict()
  .describe('An encrypted value, exactly as `pulumi config set --secret` writes it.');

const plainValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.array(plainValue),
    // Pulumi reads any {secure: ...} as ciphertext, so a plain object may not be one.
    z.record(z.string(), plainValue).refine((o) => !('secure' in o), 'a "secure" value must be ciphertext starting with "v1:"'),
  ]),
);

export const configValueSchema = z.union([secureValue, plainValue]);

export const driftPolicySchema = z.enum(['detect', 'remediate']);

export const stackFileSchema = z
  .object({
    program: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be the name of a folder in programs/')
      .describe('The program to run: the folder name under programs/.'),
    project: z
      .string()
      .regex(pulumiNamePattern, 'letters, digits, "_", "." and "-" only')
      .optional()
      .describe('The Pulumi project name. Defaults to the program name.'),
    stack: z
      .string()
      .regex(pulumiNamePattern, 'letters, digits, "_", "." and "-" only')
      .optional()
      .describe('The Pulumi stack name. Defaults to the file name.'),
    description: z.string().optional(),
    dependsOn: z
      .array(z.string().regex(stackIdPattern, 'must be a stack id (a file name in stacks/ without .yaml)'))
      .default([])
      .describe('Stacks that must be deployed before this one.'),
    config: z
      .record(z.string().regex(configKeyPattern, 'config keys are "namespace:key" or "key"'), configValueSchema)
      .default({})
      .describe('Pulumi config, in the same form as the config: block of Pulumi.<stack>.yaml.'),
    encryptionSalt: z
      .string()
      .startsWith('v1:')
      .optional()
      .describe('The passphrase secrets provider salt (encryptionsalt of Pulumi.<stack>.yaml). Needed when config has secure values.'),
    drift: z
      .object({
        policy: driftPolicySchema.default('detect').describe('detect: report drift only. remediate: refresh, then up.'),
        maxChanges: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Remediation that would change more resources than this waits for a person.'),
      })
      .strict()
      .default({ policy: 'detect' }),
    approvals: z
      .object({ required: z.number().int().min(0).describe('Approvals the merge request needs before deploy.') })
      .strict()
      .optional(),
    allowDestroy: z
      .boolean()
      .default(false)
      .describe('When this file is deleted, deploy may destroy the stack.'),
  })
  .strict();

export type StackFile = z.infer<typeof stackFileSchema>;
export type ConfigValue = z.infer<typeof configValueSchema>;
export type DriftPolicy = z.infer<typeof driftPolicySchema>;

/** A validated stack definition, with the defaults filled in. */
export interface StackDefinition extends StackFile {
  /** The stack id: the file name without `.yaml`. */
  name: string;
  /** Path of the stack file relative to the repository root. */
  file: string;
  project: string;
  stack: string;
}

/** True for `{secure: "v1:..."}` config values. */
export function isSecureValue(value: unknown): value is { secure: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'secure' in value && Object.keys(value).length === 1;
}
