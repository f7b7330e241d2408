import { z } from 'zod';
import { parseIgnorePath } from './ignore-rules.js';

/**
 * The schema of one stack file, `stacks/<name>.yaml`. The file name is the stack's id.
 * Config keys and values use Pulumi's own forms (`namespace:key`, `{secure: v1:...}`), so a
 * `config:` block can be copied to and from a `Pulumi.<stack>.yaml` unchanged.
 */

/** A stack id, also the file name: lower-case words joined by dashes, dots or underscores. */
export const stackIdPattern = /^[a-z0-9][a-z0-9._-]*$/;
/** A stack label, as stack files carry them and the root settings name them. */
export const labelPattern = /^[a-z0-9][a-z0-9._-]*$/;
const pulumiNamePattern = /^[A-Za-z0-9_.-]+$/;

/**
 * A Pulumi project or stack name as Pulumi checks it: 1 to 100 letters, digits, "_", "." or "-".
 * And not "." or "..": Pulumi accepts them, but the file backend makes a folder of each name,
 * so ".." would write state outside its folder.
 */
function pulumiName(what: 'project' | 'stack') {
  return z
    .string()
    .max(100, `a Pulumi ${what} name has at most 100 characters`)
    .regex(pulumiNamePattern, 'letters, digits, "_", "." and "-" only (no "/" or other path characters)')
    .refine((n) => n !== '.' && n !== '..', `"." and ".." are folder names, not ${what} names`);
}
const configKeyPattern = /^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.\-/[\]"]+)?$/;

const secureValue = z
  .object({
    secure: z.string().startsWith('v1:', 'a secure value is ciphertext made by `pulumi config set --secret` and starts with "v1:"'),
  })
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

/** An environment variable's name. */
const envVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name: letters, digits and "_", not starting with a digit');

/** Pulumi's secrets providers: the passphrase, or a key in a cloud key service or Vault. */
export const secretsProviderSchema = z
  .string()
  .refine(
    (p) => p === 'passphrase' || /^(awskms|gcpkms|azurekeyvault|hashivault):\/\/\S+$/.test(p),
    'passphrase, or a key URL starting with awskms://, gcpkms://, azurekeyvault:// or hashivault://',
  );

export const driftPolicySchema = z.enum(['detect', 'remediate']);

/** A Kubernetes field manager name, as server-side apply records it (printable characters, fewer than 128). */
const fieldManagerName = z
  .string()
  .min(1, 'a field manager name is not empty')
  .max(127, 'Kubernetes field manager names are shorter than 128 characters')
  // A refine, not a pattern: JSON Schema consumers read patterns without the `u` flag that \p{C} needs.
  .refine((m) => m === '' || /^[^\p{C}\s][^\p{C}]*$/u.test(m), 'printable characters only, not starting with a space')
  .refine(
    (m) => !m.startsWith('pulumi-kubernetes'),
    "pulumi-kubernetes... is the Kubernetes provider's own field manager: ignoring it would hide drift Git must correct",
  );

/** A `drift.ignorePaths` entry, checked by the parser that matches it. */
const ignorePathEntry = z.string().superRefine((text, ctx) => {
  try {
    parseIgnorePath(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

export const stackFileSchema = z
  .object({
    program: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be the name of a folder in programs/')
      .max(100, 'the program name is the default Pulumi project name, which has at most 100 characters')
      .describe('The program to run: the folder name under programs/.'),
    project: pulumiName('project').optional().describe('The Pulumi project name. Defaults to the program name.'),
    stack: pulumiName('stack').optional().describe('The Pulumi stack name. Defaults to the file name.'),
    description: z.string().optional(),
    labels: z
      .array(z.string().regex(labelPattern, 'a label is lower-case letters, digits, ".", "_" and "-", starting with a letter or digit'))
      .optional()
      .describe('Labels that select this stack elsewhere, e.g. the policy packs of gitops.policies in the root Pulumi.yaml.'),
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
    secretsProvider: secretsProviderSchema
      .optional()
      .describe(
        "Pulumi's secrets provider for this stack (secretsprovider of Pulumi.<stack>.yaml): passphrase (the default), " +
          'or a key URL: awskms://, gcpkms://, azurekeyvault:// or hashivault://.',
      ),
    encryptedKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The data key sealed by a cloud secrets provider (encryptedkey of Pulumi.<stack>.yaml). Needed when such a stack has secure values.',
      ),
    secrets: z
      .object({
        passphraseEnv: z
          .string()
          .pipe(envVariableName)
          .optional()
          .describe(
            "The environment variable that holds this stack's passphrase (default PULUMI_CONFIG_PASSPHRASE), so a protected " +
              'stack can use a passphrase that merge-request jobs never receive. Passphrase provider only.',
          ),
      })
      .strict()
      .optional(),
    env: z
      .record(envVariableName, envVariableName)
      .optional()
      .describe(
        "Environment variables this stack's program and providers receive, as NAME: SOURCE (the job's variable SOURCE, " +
          'passed as NAME), e.g. AWS_ACCESS_KEY_ID: PROD_AWS_ACCESS_KEY_ID. Nothing else of the job reaches them but what ' +
          "the engine needs; never forge tokens or another stack's passphrase.",
      ),
    drift: z
      .object({
        policy: driftPolicySchema.default('detect').describe('detect: report drift only. remediate: refresh, then up.'),
        maxChanges: z
          .number()
          .int()
          .positive()
          .optional()
          .describe('Remediation that would change more resources than this waits for a person.'),
        ignoreManagers: z
          .array(fieldManagerName)
          .optional()
          .describe(
            'Kubernetes field managers (metadata.managedFields) whose fields are managed elsewhere, e.g. hpa-controller: ' +
              'a drifted field they own is reported as managed elsewhere, not as drift, and remediation leaves it as it is.',
          ),
        ignorePaths: z
          .array(ignorePathEntry)
          .optional()
          .describe(
            'Fields managed elsewhere, as <type>:<property path> (split at the last ":"): a type glob over the Pulumi type ' +
              '(kubernetes:apps/v1:Deployment) or Kubernetes apiVersion/Kind (apps/v1/Deployment), and a Pulumi property path ' +
              '(spec.replicas, metadata.labels["app.kubernetes.io/name"], spec.template.spec.containers[*].image) covering ' +
              'the field and everything below it. Drift there is reported as managed elsewhere and never remediated.',
          ),
      })
      .strict()
      .default({ policy: 'detect' }),
    approvals: z
      .object({ required: z.number().int().min(0).describe('Approvals the merge request needs before deploy.') })
      .strict()
      .optional(),
    allowDestroy: z.boolean().default(false).describe('When this file is deleted, deploy may destroy the stack.'),
    watch: z
      .array(
        z
          .string()
          .min(1)
          .refine(
            (p) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').includes('..'),
            'a path relative to the repository root, with "/" and no ".."',
          ),
      )
      .optional()
      .describe(
        'Files outside the program that it reads, as globs relative to the repository root (e.g. charts/api/**, data/*.json); ' +
          'a plain path also covers everything below it. A change to a match affects this stack.',
      ),
  })
  .strict()
  .refine((f) => !f.secrets?.passphraseEnv || (f.secretsProvider ?? 'passphrase') === 'passphrase', {
    message: 'secrets.passphraseEnv needs the passphrase secrets provider; a key URL provider reads no passphrase',
    path: ['secrets', 'passphraseEnv'],
  });

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
  /** What the program's own folder says (its entry, its Pulumi.yaml); set when the catalogue is loaded. */
  programProject?: ProgramProject;
}

/** True for `{secure: "v1:..."}` config values. */
export function isSecureValue(value: unknown): value is { secure: string } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'secure' in value && Object.keys(value).length === 1;
}

/**
 * What a program folder says about itself: an existing Pulumi project brings its `Pulumi.yaml`,
 * whose `name`, `main` and `config` keep their meaning here, so the program needs no change to
 * be adopted:
 * - `name` is the Pulumi project name of the stacks that run it (their state stays where it is),
 *   unless a stack file names another `project`;
 * - `main` is the entry file, or a folder holding `index.ts` / `index.js` (within the program's
 *   folder);
 * - `config` holds the project's config declarations and defaults, which the engine applies as
 *   Pulumi does (a stack file's value wins over a default).
 *
 * Other keys (`description`, `runtime` options, `backend`...) are not used: the repository's root
 * settings choose the backend, and the program host runs the program. A runtime other than
 * Node.js is refused: only Node.js programs run here.
 */
export interface ProgramProject {
  /** The folder's name under programs/. */
  program: string;
  /** The entry file, relative to the program's folder, with `/` separators. */
  main: string;
  /** The Pulumi project name from Pulumi.yaml, if it sets one. */
  name?: string;
  /** Pulumi.yaml's `config` section, as written. */
  config?: Record<string, unknown>;
}
