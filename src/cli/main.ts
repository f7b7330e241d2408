import yargs, { type Argv } from 'yargs';
import { runRedactor } from '../actions/run-redactor.js';
import { exitCodeFor } from '../errors/exit-codes.js';
import { asGitopsError, GitopsError, userError } from '../errors/gitops-error.js';
import { type ColorFlag, colorEnabled, paintStatus } from '../report/color.js';
import { type CliEnv, redactingIo } from './io.js';
import { own, topLevelOptions } from './options/common.js';
import { driftHistoryOptions, driftOptions } from './options/drift.js';
import { deployOptions, previewOptions } from './options/operate.js';
import {
  affectedOptions,
  type ConfigGetArgs,
  type ConfigSetArgs,
  configGetOptions,
  configSetOptions,
  graphOptions,
  initOptions,
  listOptions,
  schemaOptions,
  toolchainOptions,
  validateOptions,
} from './options/repository.js';
import { outputsOptions, recoverOptions, statusOptions, unlockOptions } from './options/state.js';
import { joinStdinValues } from './stdin-values.js';
import { usageText } from './usage-errors.js';

/** `config set/get` positionals as text: a value such as `0123` or `true` stays as written. */
function configPositionals<T>(y: Argv<T>, withValue: boolean): Argv<T> {
  const named = y
    .positional('stack', { type: 'string', describe: 'The stack (its file name)' })
    .positional('key', { type: 'string', describe: 'The config key, e.g. app:greeting' });
  return (withValue
    ? named.positional('value', { type: 'string', describe: 'The value; "-" reads it from stdin' })
    : named) as unknown as Argv<T>;
}

/** The exit codes, for `--help` (the one mapping lives in src/errors/exit-codes.ts). */
const exitCodesHelp = [
  'Exit codes:',
  '  0    success (drift: none left)',
  '  1    an operation failed (program, provider, lock, refused approval, ...)',
  '  2    bad usage or input: nothing ran',
  '  3    drift left in place; preview --detailed-exitcode: changes pending',
  '  130  cancelled (SIGINT/SIGTERM)',
].join('\n');

/** Each command's options, for "did you mean" on a mistyped flag or command. */
const commandOptions: Record<string, object> = {
  validate: validateOptions,
  list: listOptions,
  preview: previewOptions,
  deploy: deployOptions,
  drift: driftOptions,
  affected: affectedOptions,
  status: statusOptions,
  outputs: outputsOptions,
  graph: graphOptions,
  unlock: unlockOptions,
  recover: recoverOptions,
  config: configSetOptions,
  init: initOptions,
  schema: schemaOptions,
  toolchain: toolchainOptions,
};

/** The flags the command in `argv` takes (with `drift history`'s own). */
function flagsOf(argv: readonly string[]): string[] {
  const words = argv.filter((a) => !a.startsWith('-'));
  const options = words[0] === 'drift' && words[1] === 'history' ? driftHistoryOptions : (commandOptions[words[0] ?? ''] ?? {});
  return [...Object.keys(topLevelOptions), 'help', 'version', ...Object.keys(options)];
}

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
 * The CLI: parses argv, calls one action per command, returns an exit code. Only bin/gitops.js
 * touches `process`. Command modules load lazily, so `validate` never pays for the Pulumi SDK.
 */
export async function main(argv: readonly string[], rawCli: CliEnv): Promise<number> {
  // Credentials in the environment are known before anything runs, so nothing can print them.
  const redactor = runRedactor(rawCli.env, rawCli.redactor);
  // Decided once the arguments are parsed (--color); until then, and for usage errors, no colour.
  let paint = (text: string): string => text;
  const cli: CliEnv = {
    ...rawCli,
    redactor,
    io: redactingIo(rawCli.io, redactor, (t) => paint(t)),
    unredactedStdout: (t) => rawCli.io.stdout(t),
  };
  let exit = 0;
  const run = async (fn: () => Promise<number>): Promise<void> => {
    exit = await fn();
  };
  const parser = yargs()
    .scriptName('gitops')
    .usage('$0 <command> [options]\n\nGitOps for Pulumi: stacks in stacks/, programs in programs/.')
    // Each command registers its own options (own()), so its help lists only what it takes.
    .options(topLevelOptions)
    .middleware((a) => {
      if (colorEnabled(a.color as ColorFlag, rawCli.env, rawCli.stderrIsTTY === true)) paint = paintStatus;
    })
    .command(
      'validate',
      'Check every stack file; report every problem',
      (y) => y.options(own(validateOptions)),
      (a) => run(async () => (await import('./commands/validate.js')).validateCommand(a, cli)),
    )
    .command(
      'list',
      'List the stacks',
      (y) => y.options(own(listOptions)),
      (a) => run(async () => (await import('./commands/list.js')).listCommand(a, cli)),
    )
    .command(
      'preview',
      'Preview stacks (dependency order, independents in parallel); with --base, the merge request preview',
      (y) => y.options(own(previewOptions)),
      (a) => run(async () => (await import('./commands/preview.js')).previewCommand(a, cli)),
    )
    .command(
      'deploy',
      'Deploy stacks (up) in dependency order; with --base, deploy on merge',
      (y) => y.options(own(deployOptions)),
      (a) => run(async () => (await import('./commands/deploy.js')).deployCommand(a, cli)),
    )
    .command(
      'drift',
      'Detect drift (refresh preview); with --remediate or a remediate policy, converge back on Git',
      (y) =>
        y.options(own(driftOptions)).command(
          'history',
          'When drift appeared on each stack, and when it was fixed',
          (h) => h.options(own(driftHistoryOptions)),
          (a) => run(async () => (await import('./commands/drift-history.js')).driftHistoryCommand(a, cli)),
        ),
      (a) => run(async () => (await import('./commands/drift.js')).driftCommand(a, cli)),
    )
    .command(
      'affected',
      'The stacks a change affects, from Git (merge-base of --base and --head), with reasons',
      (y) => y.options(own(affectedOptions)),
      (a) => run(async () => (await import('./commands/affected.js')).affectedCommand(a, cli)),
    )
    .command(
      'status',
      "Each stack's last deployed commit, the newest commit that changed it, and whether it is behind",
      (y) => y.options(own(statusOptions)),
      (a) => run(async () => (await import('./commands/status.js')).statusCommand(a, cli)),
    )
    .command(
      'outputs',
      "A stack's outputs (secret ones as [secret] unless --show-secrets)",
      (y) => y.options(own(outputsOptions)),
      (a) => run(async () => (await import('./commands/outputs.js')).outputsCommand(a, cli)),
    )
    .command(
      'graph',
      'The stack dependency graph (dependsOn and StackReferences), as text or Mermaid',
      (y) => y.options(own(graphOptions)),
      (a) => run(async () => (await import('./commands/graph.js')).graphCommand(a, cli)),
    )
    .command(
      'unlock',
      'Remove the lock a killed run left on a stack',
      (y) => y.options(own(unlockOptions)),
      (a) => run(async () => (await import('./commands/unlock.js')).unlockCommand(a, cli)),
    )
    .command(
      'recover',
      'Settle what a killed run or a dead provider left: --import URN=ID (a pending create that exists) or --forget URN (settled)',
      (y) => y.options(own(recoverOptions)),
      (a) => run(async () => (await import('./commands/recover.js')).recoverCommand(a, cli)),
    )
    .command('config', 'Read or write a config value of a stack file; secrets encrypted with the stack passphrase', (y) =>
      y
        .command(
          'set <stack> <key> <value>',
          'Write config KEY of STACK into its stack file (VALUE "-": read it from stdin)',
          (c) => configPositionals(c, true).options(own(configSetOptions)),
          (a) => run(async () => (await import('./commands/config.js')).configSetCommand(a as unknown as ConfigSetArgs, cli)),
        )
        .command(
          'get <stack> <key>',
          'Print config KEY of STACK (a secret only with --show-secrets)',
          (c) => configPositionals(c, false).options(own(configGetOptions)),
          (a) => run(async () => (await import('./commands/config.js')).configGetCommand(a as unknown as ConfigGetArgs, cli)),
        )
        .demandCommand(1, 'name a config command: set or get'),
    )
    .command(
      'init',
      'Set up an existing git repository: a first stack, program, settings, .gitignore and CI; never overwrites',
      (y) => y.options(own(initOptions)),
      (a) => run(async () => (await import('./commands/init.js')).initCommand(a, cli)),
    )
    .command(
      'schema',
      'Print the JSON Schema of stack files (--write: to stacks/stack.schema.json)',
      (y) => y.options(own(schemaOptions)),
      (a) => run(async () => (await import('./commands/schema.js')).schemaCommand(a, cli)),
    )
    .command(
      'toolchain',
      'Install the Pulumi CLI the driver needs (runs automatically when needed)',
      (y) => y.options(own(toolchainOptions)),
      (a) => run(async () => (await import('./commands/toolchain.js')).toolchainCommand(a, cli)),
    )
    .demandCommand(1, 'name a command')
    .recommendCommands()
    // One language in a log: the driver's own messages are English. The bundle (bin/build.js)
    // has no locale files, so the one English string that differs from its key is pinned here.
    .locale('en')
    .updateStrings({ 'Implications failed:': 'Missing dependent arguments:' })
    .example('$0 preview --base main --comment', 'Preview what a merge request changes, and comment')
    .example('$0 deploy --base $BEFORE_SHA', 'Deploy what a merge changed, approvals checked')
    .example('$0 drift --all --detect-only --json', 'Report drift on every stack, change nothing')
    .epilog(exitCodesHelp)
    .strict()
    .help()
    .version(rawCli.version ?? 'unknown')
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs wraps what a coerce function throws (and its own complaints) in a YError: usage errors.
      if (err instanceof GitopsError || (err && err.name !== 'YError')) throw err;
      // In our own words, with "did you mean" for a mistyped flag or command.
      const text = usageText(
        err?.message ?? msg,
        flagsOf(argv),
        Object.keys(commandOptions),
        argv.find((a) => !a.startsWith('-')),
      );
      throw userError('USAGE', text.message, text.hint);
    });
  try {
    // With a callback, yargs hands over what it would print (help, --version) instead of printing it.
    let printed = '';
    await parser.parseAsync(joinStdinValues(argv), {}, (_err, _args, output) => {
      printed = output;
    });
    if (printed) cli.io.stdout(`${printed}\n`);
    return exit;
  } catch (err) {
    return report(err, cli);
  }
}
