import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, InferredOptionTypes, Options } from 'yargs';
import type { RunScope } from '../engine/run-scope.js';
import { userError } from '../errors/gitops-error.js';
import { parseShard } from '../schedule/shard.js';

/**
 * Option builders, declared once as data. Argument types are derived from them, so a flag and
 * its type cannot drift apart. Booleans that take part in `implies`/`conflicts` have no
 * default: yargs counts a defaulted flag as given.
 */
type OptionSet = Record<string, Options>;

/** The parsed arguments of a command built from these option sets. */
export type ArgsOf<O extends OptionSet> = ArgumentsCamelCase<InferredOptionTypes<O>>;

/** A whole number within [min, max]; anything else is refused before anything runs. */
export function wholeNumber(flag: string, min: number, max: number): (value: unknown) => number {
  return (value) => {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw userError('USAGE', `--${flag} ${String(value)}: expected a whole number from ${min} to ${max}`);
    return n;
  };
}

/**
 * A command's own options: yargs makes options global (inherited by subcommands) unless told
 * otherwise, which made `drift history --help` list every drift flag.
 */
export function own<O extends OptionSet>(options: O): O {
  return Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { ...o, global: false }])) as O;
}

/** The only truly global option: every command accepts it, and subcommands inherit it. */
export const topLevelOptions = {
  color: {
    type: 'string',
    choices: ['auto', 'always', 'never'],
    default: 'auto',
    describe: 'Colour status words on stderr: auto (a terminal, unless NO_COLOR is set), always, never',
  },
} as const satisfies OptionSet;

/** Commands that read the repository. */
export const repoOptions = {
  cwd: { type: 'string', describe: 'Run in this repository instead of the current folder' },
  stacks: { type: 'string', describe: 'Use another stack catalogue folder (default: stacks), e.g. examples/stacks' },
} as const satisfies OptionSet;

/** Commands with a machine-readable result. */
export const jsonOption = {
  json: { type: 'boolean', default: false, describe: 'Print one JSON document on stdout' },
} as const satisfies OptionSet;

/** Commands that print live progress. */
export const quietOption = {
  quiet: { alias: 'q', type: 'boolean', default: false, describe: 'No live progress on stderr' },
} as const satisfies OptionSet;

/**
 * Every shared option: what a command that runs stacks takes. Each command registers the ones it
 * uses (main.ts), so its help lists only those.
 */
export const globalOptions = { ...topLevelOptions, ...repoOptions, ...jsonOption, ...quietOption } as const satisfies OptionSet;

/** What commands that run stacks take. */
const runOptions = { ...repoOptions, ...jsonOption, ...quietOption } as const satisfies OptionSet;

export const selectionOptions = {
  stack: { alias: 's', type: 'string', array: true, describe: 'Stack id (file name in stacks/); repeatable' },
  all: { type: 'boolean', describe: 'Every stack' },
  // Each stack starts the Pulumi CLI and provider processes, which is CPU-bound locally: one per
  // core measured best (npm run bench: drift over 50 stacks on 2 cores, 2 beat 4).
  concurrency: {
    // A string, so the message can quote what was typed; coerce makes it a number.
    type: 'string',
    default: Math.max(2, availableParallelism()),
    coerce: wholeNumber('concurrency', 1, 256),
    describe: 'How many independent stacks run at once (default: one per core, at least 2)',
  },
  shard: {
    type: 'string',
    coerce: (s: string) => parseShard(s),
    describe: 'Run only shard I of N (e.g. 2/4); stacks linked by dependsOn stay together',
  },
  plan: { type: 'boolean', default: false, describe: 'Print the plan (stacks, order, reasons) as JSON and stop' },
} as const satisfies OptionSet;

/** `preview` and `deploy` by `--stack`: take the selected stacks' dependencies along. */
const withDepsOption = {
  'with-deps': {
    type: 'boolean',
    implies: 'stack',
    describe: "Also run the selected stacks' dependencies (dependsOn and StackReferences), in dependency order",
  },
} as const satisfies OptionSet;

/** `list` and `validate`. */
export const listOptions = { ...repoOptions, ...jsonOption } as const satisfies OptionSet;
export const validateOptions = listOptions;
export const toolchainOptions = { ...jsonOption } as const satisfies OptionSet;

/** Narrows preview and deploy by selection (`--stack`/`--all`); merge request mode runs what was approved, whole. */
export const scopeOptions = {
  target: {
    type: 'string',
    array: true,
    implies: 'stack',
    conflicts: ['all', 'plans'],
    describe: 'Act only on this resource (URN) of the one --stack; repeatable',
  },
  refresh: {
    type: 'boolean',
    conflicts: ['base', 'since-deployed', 'plans'],
    describe: 'Refresh the state from the live resources first',
  },
} as const satisfies OptionSet;

/**
 * The scope of a preview or deploy by selection. A URN names a resource of one stack, so
 * `--target` needs exactly one `--stack`.
 */
export function scopeOf(args: { target?: string[]; refresh?: boolean; stack?: string[] }): RunScope {
  const targets = args.target ?? [];
  if (targets.length > 0) {
    const stacks = [...new Set(args.stack ?? [])];
    if (stacks.length !== 1)
      throw userError(
        'USAGE',
        `--target needs exactly one --stack (got ${stacks.length}: ${stacks.join(', ') || 'none'}): a URN names a resource of one stack`,
      );
    for (const urn of targets)
      if (!urn.startsWith('urn:pulumi:')) throw userError('USAGE', `--target ${urn}: expected a URN (urn:pulumi:...)`);
  }
  return { ...(targets.length > 0 ? { targets } : {}), ...(args.refresh ? { refresh: true } : {}) };
}

/** Merge request mode for preview and deploy. */
export const mergeRequestOptions = {
  base: {
    type: 'string',
    conflicts: ['all', 'stack'],
    describe: 'Merge request mode: act on the stacks affected since the merge-base with this ref',
  },
  head: { type: 'string', implies: 'base', describe: 'With --base: the change (default HEAD)' },
  'all-on-missing-history': {
    type: 'boolean',
    implies: 'base',
    describe: 'With --base: when the merge-base cannot be found, treat every stack as affected',
  },
} as const satisfies OptionSet;

export const previewOptions = {
  ...runOptions,
  ...selectionOptions,
  ...withDepsOption,
  ...scopeOptions,
  ...mergeRequestOptions,
  'detailed-exitcode': { type: 'boolean', default: false, describe: 'Exit 3 when changes are pending' },
  diff: {
    type: 'boolean',
    default: false,
    describe: 'Print each changing property as a diff of its old and new value, and the inputs of new resources (stderr with --json)',
  },
  markdown: { type: 'string', implies: 'base', describe: 'With --base: write the merge request report (Markdown) to this file' },
  comment: { type: 'boolean', implies: 'base', describe: 'With --base: post the report as the one MR comment (updated in place)' },
  'save-plans': {
    type: 'string',
    implies: 'base',
    describe: "With --base: store each stack's update plan, commit, tree and state version in this folder (for deploy --plans)",
  },
} as const satisfies OptionSet;

export const deployOptions = {
  ...runOptions,
  ...selectionOptions,
  ...withDepsOption,
  ...scopeOptions,
  ...mergeRequestOptions,
  plans: {
    type: 'string',
    describe: 'Bind each update to its approved preview stored here by preview --save-plans; refuse stale or missing ones',
  },
  'since-deployed': {
    type: 'boolean',
    // Sharding splits the stacks to deploy, which depend on tags that other shards move meanwhile.
    conflicts: ['base', 'all', 'stack', 'shard'],
    describe: "Deploy on merge from each stack's last deployed commit to HEAD (what the CI templates run); approvals per merged MR",
  },
  message: { alias: 'm', type: 'string', describe: 'Update message for the stack history' },
  force: { type: 'boolean', implies: 'base', describe: 'With --base: deploy even off the default branch' },
  'allow-destroy': {
    type: 'boolean',
    implies: 'base',
    describe: 'With --base: destroy deleted stacks even if their last definition did not allow it (its approvals still apply)',
  },
  'override-approvals': {
    type: 'boolean',
    implies: 'reason',
    conflicts: 'base',
    describe: 'With --all/--stack: deploy protected stacks without their approvals (recorded in the update message)',
  },
  reason: {
    type: 'string',
    implies: 'override-approvals',
    coerce: (text: string) => {
      if (text.trim() === '')
        throw userError('USAGE', '--reason must say why approvals are overridden; it is recorded in the update message');
      return text;
    },
    describe: 'Why approvals are overridden (required with --override-approvals)',
  },
  'default-branch': { type: 'string', implies: 'base', describe: "With --base: the default branch (default: the CI's, else main)" },
} as const satisfies OptionSet;

export const driftOptions = {
  ...runOptions,
  ...selectionOptions,
  // No default: --no-remediate (false) must be told apart from leaving it to each stack's policy.
  remediate: { type: 'boolean', describe: 'Refresh then up, for every selected stack (--no-remediate: detection only)' },
  'detect-only': { type: 'boolean', conflicts: 'remediate', describe: "Detection only, whatever each stack's drift.policy says" },
  'allow-destroy': { type: 'boolean', default: false, describe: 'Let remediation delete or replace resources' },
  history: { type: 'string', describe: 'Append this run to a drift history file (JSON Lines)' },
  markdown: { type: 'string', describe: 'Write the report as Markdown to this file' },
  notify: {
    type: 'string',
    array: true,
    describe:
      'Notify: bare or "issue" keeps one GitLab/GitHub issue per drifted stack; slack=URL and webhook=URL (or =env:VAR) post the run; repeatable',
  },
} as const satisfies OptionSet;

export const driftHistoryOptions = {
  ...repoOptions,
  ...jsonOption,
  file: { type: 'string', describe: 'Read this file given to drift --history instead of the history kept with the state' },
  stack: { alias: 's', type: 'string', array: true, describe: 'Only these stacks' },
} as const satisfies OptionSet;

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
export const unlockOptions = {
  ...repoOptions,
  stack: selectionOptions.stack,
  all: selectionOptions.all,
  force: {
    type: 'boolean',
    default: false,
    describe: 'Also remove a lock held from another host (whether that run still runs cannot be checked)',
  },
} as const satisfies OptionSet;
export const recoverOptions = {
  ...runOptions,
  stack: {
    alias: 's',
    type: 'string',
    demandOption: true,
    describe: 'The stack whose pending operations (or creates of unknown outcome) to settle',
  },
  import: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'URN=ID: a pending create that happened; adopt the resource with this provider ID (repeatable)',
  },
  forget: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe:
      'URN: a pending operation to drop (a create that never happened), or a create of unknown outcome you have settled; repeatable',
  },
} as const satisfies OptionSet;

/** `gitops status`: reads deploy records, so it runs the engine, but changes nothing. */
/** `gitops outputs`: one stack's outputs. */
export const outputsOptions = {
  ...repoOptions,
  ...jsonOption,
  stack: {
    alias: 's',
    type: 'string',
    demandOption: true,
    coerce: (s: string | string[]) => {
      if (Array.isArray(s)) throw userError('USAGE', `outputs takes one --stack, got ${s.join(', ')}`);
      return s;
    },
    describe: 'The stack whose outputs to print',
  },
  'show-secrets': { type: 'boolean', default: false, describe: 'Print the values of secret outputs (default: [secret])' },
} as const satisfies OptionSet;

export const statusOptions = {
  ...repoOptions,
  ...jsonOption,
  ...quietOption,
  concurrency: selectionOptions.concurrency,
} as const satisfies OptionSet;

export type GlobalArgs = ArgsOf<typeof globalOptions>;
export type ListArgs = ArgsOf<typeof topLevelOptions & typeof listOptions>;
export type ValidateArgs = ArgsOf<typeof topLevelOptions & typeof validateOptions>;
export type ToolchainArgs = ArgsOf<typeof topLevelOptions & typeof toolchainOptions>;
export type PreviewArgs = ArgsOf<typeof globalOptions & typeof previewOptions>;
export type DeployArgs = ArgsOf<typeof globalOptions & typeof deployOptions>;
export type DriftArgs = ArgsOf<typeof globalOptions & typeof driftOptions>;
export type DriftHistoryArgs = ArgsOf<typeof topLevelOptions & typeof driftHistoryOptions>;
export type AffectedArgs = ArgsOf<typeof topLevelOptions & typeof affectedOptions>;
export type GraphArgs = ArgsOf<typeof topLevelOptions & typeof graphOptions>;
export type SchemaArgs = ArgsOf<typeof topLevelOptions & typeof schemaOptions>;
export type InitArgs = ArgsOf<typeof topLevelOptions & typeof initOptions>;
export type ConfigSetArgs = ArgsOf<typeof topLevelOptions & typeof configSetOptions> & ConfigPositionals & { value: string };
export type ConfigGetArgs = ArgsOf<typeof topLevelOptions & typeof configGetOptions> & ConfigPositionals;
export type UnlockArgs = ArgsOf<typeof topLevelOptions & typeof unlockOptions>;
export type RecoverArgs = ArgsOf<typeof globalOptions & typeof recoverOptions>;
export type OutputsArgs = ArgsOf<typeof topLevelOptions & typeof outputsOptions>;
export type StatusArgs = ArgsOf<typeof topLevelOptions & typeof statusOptions>;
