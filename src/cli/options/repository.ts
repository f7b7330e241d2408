import { type ArgsOf, jsonOption, type OptionSet, repoOptions, type topLevelOptions } from './common.js';

/** `list` and `validate`. */
export const listOptions = { ...repoOptions, ...jsonOption } as const satisfies OptionSet;

export const validateOptions = listOptions;

export const toolchainOptions = { ...jsonOption } as const satisfies OptionSet;

export const affectedOptions = {
  ...repoOptions,
  ...jsonOption,
  base: { type: 'string', conflicts: 'files', describe: 'The target branch or commit of the merge request' },
  head: { type: 'string', implies: 'base', describe: 'The change (default HEAD)' },
  files: { type: 'string', describe: 'Changed files, comma-separated ("-" reads them from stdin); skips git' },
  explain: { type: 'boolean', default: false, describe: 'Print why each stack is affected' },
  'all-on-missing-history': {
    type: 'boolean',
    implies: 'base',
    describe: 'When the merge-base cannot be found, treat every stack as affected',
  },
} as const satisfies OptionSet;

export const graphOptions = {
  ...repoOptions,
  ...jsonOption,
  mermaid: { type: 'boolean', default: false, describe: 'Print a Mermaid flowchart for Markdown' },
} as const satisfies OptionSet;

/** `gitops config set STACK KEY VALUE`. */
export const configSetOptions = {
  ...repoOptions,
  secret: { type: 'boolean', default: false, describe: "Encrypt the value with the stack's passphrase (adds encryptionSalt when missing)" },
} as const satisfies OptionSet;

/** `gitops config get STACK KEY`. */
export const configGetOptions = {
  ...repoOptions,
  'show-secrets': { type: 'boolean', default: false, describe: 'Decrypt and print a secret value' },
} as const satisfies OptionSet;

/** The positional arguments of `config set` and `config get`. */
interface ConfigPositionals {
  stack: string;
  key: string;
}

/** `gitops init`: sets up an existing git repository. */
export const initOptions = {
  cwd: { type: 'string', describe: 'Set up this git repository instead of the current folder' },
  ci: { type: 'string', choices: ['gitlab', 'github'] as const, describe: 'Also write the CI pipeline for this forge' },
  name: { type: 'string', describe: 'The Pulumi project name (default: the folder name)' },
  backend: { type: 'string', describe: 'The state backend URL for Pulumi.yaml, e.g. s3://bucket (default: none written)' },
} as const satisfies OptionSet;

export const schemaOptions = {
  ...repoOptions,
  write: { type: 'boolean', default: false, describe: 'Write it to stacks/stack.schema.json' },
} as const satisfies OptionSet;

export type ListArgs = ArgsOf<typeof topLevelOptions & typeof listOptions>;

export type ValidateArgs = ArgsOf<typeof topLevelOptions & typeof validateOptions>;

export type ToolchainArgs = ArgsOf<typeof topLevelOptions & typeof toolchainOptions>;

export type AffectedArgs = ArgsOf<typeof topLevelOptions & typeof affectedOptions>;

export type GraphArgs = ArgsOf<typeof topLevelOptions & typeof graphOptions>;

export type SchemaArgs = ArgsOf<typeof topLevelOptions & typeof schemaOptions>;

export type InitArgs = ArgsOf<typeof topLevelOptions & typeof initOptions>;

export type ConfigSetArgs = ArgsOf<typeof topLevelOptions & typeof configSetOptions> & ConfigPositionals & { value: string };

export type ConfigGetArgs = ArgsOf<typeof topLevelOptions & typeof configGetOptions> & ConfigPositionals;
