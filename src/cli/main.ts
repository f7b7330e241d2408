import yargs, { type Argv } from 'yargs';
import { exitCodeFor } from '../errors/exit-codes.js';
import { asGitopsError, userError } from '../errors/gitops-error.js';
import type { DriftArgs } from './commands/drift.js';
import type { DriftHistoryArgs } from './commands/drift-history.js';
import type { OperateArgs } from './commands/operate.js';
import type { SchemaArgs } from './commands/schema.js';
import { redactingIo, type CliEnv } from './io.js';
import { Redactor } from '../report/redact.js';
import { mergeRequestOptions, selectionOptions, type GlobalArgs, type SelectionArgs } from './options.js';
import type { AffectedArgs } from './commands/affected.js';

/** Prints an error with its details and hint; returns the exit code (the one mapping lives in exitCodeFor). */
function report(err: unknown, cli: CliEnv): number {
  const error = asGitopsError(err);
  const lines = [`error: ${error.message}`, ...error.details.map((d) => `  ${d}`)];
  if (error.hint) lines.push(`hint: ${error.hint}`);
  if (error.kind === 'internal' && error.cause instanceof Error && error.cause.stack) lines.push(error.cause.stack);
  cli.io.stderr(`${lines.join('\n')}\n`);
  return exitCodeFor(error);
}

/**
 * The CLI: parses argv, calls the library, returns an exit code. Only bin/gitops.js touches
 * `process`.
 */
export async function main(argv: readonly string[], rawCli: CliEnv): Promise<number> {
  const redactor = rawCli.redactor ?? new Redactor();
  const cli: CliEnv = { ...rawCli, redactor, io: redactingIo(rawCli.io, redactor) };
  let exit = 0;
  const run = (fn: () => Promise<number>) => async () => {
    exit = await fn();
  };
  // Commands load lazily: `validate` must not pay for loading the Pulumi SDK.
  const commands = {
    validate: async () => (await import('./commands/validate.js')).validateCommand,
    list: async () => (await import('./commands/list.js')).listCommand,
    operate: async () => (await import('./commands/operate.js')).operateCommand,
    drift: async () => (await import('./commands/drift.js')).driftCommand,
    driftHistory: async () => (await import('./commands/drift-history.js')).driftHistoryCommand,
    affected: async () => (await import('./commands/affected.js')).affectedCommand,
    graph: async () => (await import('./commands/graph.js')).graphCommand,
    unlock: async () => (await import('./commands/unlock.js')).unlockCommand,
    schema: async () => (await import('./commands/schema.js')).schemaCommand,
    toolchain: async () => (await import('./commands/toolchain.js')).toolchainCommand,
  };
  const parser = yargs([...argv])
    .scriptName('gitops')
    .usage('$0 <command> [options]\n\nGitOps for Pulumi: stacks in stacks/, programs in programs/.')
    .option('cwd', { type: 'string', describe: 'Run in this repository instead of the current folder' })
    .option('stacks', { type: 'string', describe: 'Use another stack catalogue folder (default: stacks), e.g. stacks/examples' })
    .option('json', { type: 'boolean', default: false, describe: 'Print one JSON document on stdout' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No live progress on stderr' })
    .command('validate', 'Check every stack file; report every problem', {}, (a) => run(async () => (await commands.validate())(a as unknown as GlobalArgs, cli))())
    .command('list', 'List the stacks', {}, (a) => run(async () => (await commands.list())(a as unknown as GlobalArgs, cli))())
    .command(
      'preview',
      'Preview stacks (dependency order, independents in parallel)',
      (y: Argv) =>
        mergeRequestOptions(selectionOptions(y))
          .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'Exit 3 when changes are pending' })
          .option('markdown', { type: 'string', describe: 'With --base: write the merge request report (Markdown) to this file' })
          .option('comment', { type: 'boolean', default: false, describe: 'With --base: post the report as the one MR comment (updated in place)' }),
      (a) => run(async () => (await commands.operate())('preview', a as unknown as OperateArgs, cli))(),
    )
    .command(
      'deploy',
      'Deploy stacks (up) in dependency order',
      (y: Argv) =>
        mergeRequestOptions(selectionOptions(y))
          .option('message', { alias: 'm', type: 'string', describe: 'Update message for the stack history' })
          .option('force', { type: 'boolean', default: false, describe: 'With --base: deploy even off the default branch' })
          .option('allow-destroy', { type: 'boolean', default: false, describe: 'With --base: destroy deleted stacks even if their last definition did not allow it' })
          .option('default-branch', { type: 'string', describe: 'With --base: the default branch (default: the CI\'s, else main)' }),
      (a) => run(async () => (await commands.operate())('deploy', a as unknown as OperateArgs, cli))(),
    )
    .command(
      'drift',
      'Detect drift (refresh preview); with --remediate or a remediate policy, converge back on Git',
      (y: Argv) =>
        selectionOptions(y)
          .option('remediate', { type: 'boolean', default: false, describe: 'Refresh then up, for every selected stack' })
          .option('allow-destroy', { type: 'boolean', default: false, describe: 'Let remediation delete or replace resources' })
          .option('history', { type: 'string', describe: 'Append this run to a drift history file (JSON Lines)' })
          .option('markdown', { type: 'string', describe: 'Write the report as Markdown to this file' })
          .option('notify', { type: 'boolean', default: false, describe: 'Keep one GitLab/GitHub issue per drifted stack up to date' })
          .command(
            'history',
            'When drift appeared on each stack, and when it was fixed',
            (h: Argv) => h.option('file', { type: 'string', demandOption: true, describe: 'The file given to drift --history' }),
            (a) => run(async () => (await commands.driftHistory())(a as unknown as DriftHistoryArgs, cli))(),
          ),
      (a) => run(async () => (await commands.drift())(a as unknown as DriftArgs, cli))(),
    )
    .command(
      'affected',
      'The stacks a change affects, from Git (merge-base of --base and --head), with reasons',
      (y: Argv) =>
        y
          .option('base', { type: 'string', describe: 'The target branch or commit of the merge request' })
          .option('head', { type: 'string', default: 'HEAD', describe: 'The change' })
          .option('files', { type: 'string', describe: 'Changed files, comma-separated ("-" reads them from stdin); skips git' })
          .option('explain', { type: 'boolean', default: false, describe: 'Print why each stack is affected' })
          .option('all-on-missing-history', { type: 'boolean', default: false, describe: 'When the merge-base cannot be found, treat every stack as affected' }),
      (a) => run(async () => (await commands.affected())(a as unknown as AffectedArgs, cli))(),
    )
    .command(
      'graph',
      'The stack dependency graph (dependsOn and StackReferences), as text or Mermaid',
      (y: Argv) => y.option('mermaid', { type: 'boolean', default: false, describe: 'Print a Mermaid flowchart for Markdown' }),
      (a) => run(async () => (await commands.graph())(a as unknown as GlobalArgs & { mermaid: boolean }, cli))(),
    )
    .command('unlock', 'Remove the lock a killed run left on a stack', (y: Argv) => selectionOptions(y), (a) => run(async () => (await commands.unlock())(a as unknown as SelectionArgs, cli))())
    .command(
      'schema',
      'Print the JSON Schema of stack files (--write: to stacks/stack.schema.json)',
      (y: Argv) => y.option('write', { type: 'boolean', default: false }),
      (a) => run(async () => (await commands.schema())(a as unknown as SchemaArgs, cli))(),
    )
    .command('toolchain', 'Install the Pulumi CLI the driver needs (runs automatically when needed)', {}, (a) => run(async () => (await commands.toolchain())(a as unknown as GlobalArgs, cli))())
    .demandCommand(1, 'name a command')
    .strict()
    .help()
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? userError('USAGE', msg);
    });
  try {
    await parser.parseAsync();
    return exit;
  } catch (err) {
    return report(err, cli);
  }
}
