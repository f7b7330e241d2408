import { userError } from '../../errors/gitops-error.js';
import {
  type ArgsOf,
  type globalOptions,
  jsonOption,
  type OptionSet,
  quietOption,
  repoOptions,
  runOptions,
  selectionOptions,
  type topLevelOptions,
} from './common.js';

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

export type UnlockArgs = ArgsOf<typeof topLevelOptions & typeof unlockOptions>;

export type RecoverArgs = ArgsOf<typeof globalOptions & typeof recoverOptions>;

export type OutputsArgs = ArgsOf<typeof topLevelOptions & typeof outputsOptions>;

export type StatusArgs = ArgsOf<typeof topLevelOptions & typeof statusOptions>;
