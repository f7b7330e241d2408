import { availableParallelism } from 'node:os';
import type { ArgumentsCamelCase, InferredOptionTypes, Options } from 'yargs';
import { userError } from '../../errors/gitops-error.js';
import { parseShard } from '../../lib/shard-spec.js';

/**
 * Option builders, declared once as data. Argument types are derived from them, so a flag and
 * its type cannot drift apart. Booleans that take part in `implies`/`conflicts` have no
 * default: yargs counts a defaulted flag as given.
 */
export type OptionSet = Record<string, Options>;

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
export const runOptions = { ...repoOptions, ...jsonOption, ...quietOption } as const satisfies OptionSet;

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
export const withDepsOption = {
  'with-deps': {
    type: 'boolean',
    implies: 'stack',
    describe: "Also run the selected stacks' dependencies (dependsOn and StackReferences), in dependency order",
  },
} as const satisfies OptionSet;

export type GlobalArgs = ArgsOf<typeof globalOptions>;
