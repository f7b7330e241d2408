import { availableParallelism } from 'node:os';
import type { Argv } from 'yargs';

/** Options every command shares. */
export interface GlobalArgs {
  cwd?: string;
  /** Another stack catalogue folder (e.g. stacks/examples), relative to the repository root. */
  stacks?: string;
  json: boolean;
  quiet: boolean;
}

/** `--stack NAME...` / `--all`, and how many stacks run at once. */
export interface SelectionArgs extends GlobalArgs {
  stack?: string[];
  all: boolean;
  concurrency: number;
  plan: boolean;
  shard?: string;
}

export function selectionOptions<T>(y: Argv<T>): Argv<T & SelectionArgs> {
  return y
    .option('stack', { alias: 's', type: 'string', array: true, describe: 'Stack id (file name in stacks/); repeatable' })
    .option('all', { type: 'boolean', default: false, describe: 'Every stack' })
    // Each stack starts the Pulumi CLI and provider processes, which is CPU-bound locally: one per
    // core measured best (npm run bench: drift over 50 stacks on 2 cores, 2 beat 4).
    .option('concurrency', { type: 'number', default: Math.max(2, availableParallelism()), describe: 'How many independent stacks run at once (default: one per core, at least 2)' })
    .option('shard', { type: 'string', describe: 'Run only shard I of N (e.g. 2/4); stacks linked by dependsOn stay together' })
    .option('plan', { type: 'boolean', default: false, describe: 'Print the plan (stacks, order, reasons) as JSON and stop' }) as unknown as Argv<T & SelectionArgs>;
}

/** `--base` and friends: merge request mode for preview and deploy. */
export function mergeRequestOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('base', { type: 'string', describe: 'Merge request mode: act on the stacks affected since the merge-base with this ref' })
    .option('head', { type: 'string', describe: 'With --base: the change (default HEAD)' })
    .option('all-on-missing-history', { type: 'boolean', default: false, describe: 'With --base: when the merge-base cannot be found, treat every stack as affected' }) as unknown as Argv<T>;
}
