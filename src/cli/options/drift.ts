import {
  type ArgsOf,
  type globalOptions,
  jsonOption,
  type OptionSet,
  repoOptions,
  runOptions,
  selectionOptions,
  type topLevelOptions,
} from './common.js';

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

export type DriftArgs = ArgsOf<typeof globalOptions & typeof driftOptions>;

export type DriftHistoryArgs = ArgsOf<typeof topLevelOptions & typeof driftHistoryOptions>;
