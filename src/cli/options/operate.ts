import type { RunScope } from '../../engine/run-scope.js';
import { userError } from '../../errors/gitops-error.js';
import { type ArgsOf, type globalOptions, type OptionSet, runOptions, selectionOptions, withDepsOption } from './common.js';

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

export type PreviewArgs = ArgsOf<typeof globalOptions & typeof previewOptions>;

export type DeployArgs = ArgsOf<typeof globalOptions & typeof deployOptions>;
