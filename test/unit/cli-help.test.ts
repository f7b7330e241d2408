import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import * as common from '../../src/cli/options/common.js';
import * as driftOptions from '../../src/cli/options/drift.js';
import * as operate from '../../src/cli/options/operate.js';
import * as repository from '../../src/cli/options/repository.js';
import * as state from '../../src/cli/options/state.js';

/** Every option set the CLI declares, by name. */
const options = { ...common, ...operate, ...driftOptions, ...repository, ...state };

/** Runs the CLI in process with no repository around: help never needs one. */
async function help(...argv: string[]): Promise<string> {
  let stdout = '';
  const code = await main([...argv, '--help'], {
    cwd: '/',
    env: {},
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: () => undefined,
    },
    signal: new AbortController().signal,
    version: '0.0.0',
  });
  expect(code).toBe(0);
  return stdout;
}

/** The flags a help text lists (long names), in order. */
function listedFlags(text: string): string[] {
  const start = text.indexOf('\nOptions:');
  const end = text.indexOf('\n\n', start + 1);
  const options = text.slice(start, end === -1 ? undefined : end);
  return [...options.matchAll(/^ {2}(?:-\w, | {4})?--([a-z][\w-]*)/gm)].map((m) => m[1]!);
}

/** The commands the top-level help lists. */
function listedCommands(text: string): string[] {
  const section = text.slice(text.indexOf('Commands:'), text.indexOf('\nOptions:'));
  return [...section.matchAll(/^ {2}gitops ([a-z-]+)/gm)].map((m) => m[1]!);
}

const shown = ['color', 'help', 'version'];

/**
 * Each command and the option set it registers. A new command must be added here: the first test
 * fails until it is, so no command ships a help nobody checked.
 */
const commands: Record<string, Record<string, unknown>> = {
  validate: options.validateOptions,
  list: options.listOptions,
  preview: options.previewOptions,
  deploy: options.deployOptions,
  drift: options.driftOptions,
  'drift history': options.driftHistoryOptions,
  affected: options.affectedOptions,
  graph: options.graphOptions,
  unlock: options.unlockOptions,
  recover: options.recoverOptions,
  schema: options.schemaOptions,
  toolchain: options.toolchainOptions,
  init: options.initOptions,
  config: {},
  'config set': options.configSetOptions,
  'config get': options.configGetOptions,
};
const topHelp = await help();
// Commands added alongside this test, checked once main.ts registers them.
for (const [name, set] of [
  ['outputs', 'outputsOptions'],
  ['status', 'statusOptions'],
] as const) {
  const o = (options as Record<string, unknown>)[set];
  if (o && listedCommands(topHelp).includes(name)) commands[name] = o as Record<string, unknown>;
}

describe('each command lists only its own flags', () => {
  it('every command the top-level help lists is checked here', async () => {
    const top = topHelp;
    const listed = listedCommands(top);
    expect(listed).toContain('preview');
    for (const c of listed) expect(Object.keys(commands), `command "${c}" has no entry in cli-help.test.ts`).toContain(c);
    // The top level offers only the truly global options.
    expect(listedFlags(top).sort()).toEqual([...shown].sort());
  });

  for (const [command, set] of Object.entries(commands)) {
    it(`gitops ${command} --help lists exactly its flags`, async () => {
      const flags = listedFlags(await help(...command.split(' ')));
      expect(flags.sort()).toEqual([...new Set([...shown, ...Object.keys(set)])].sort());
    });
  }

  it('drift history lists none of the run flags of drift', async () => {
    const flags = listedFlags(await help('drift', 'history'));
    expect(flags).toEqual(expect.arrayContaining(['file', 'stack', 'json', 'cwd']));
    for (const f of ['remediate', 'detect-only', 'all', 'concurrency', 'shard', 'plan', 'history', 'markdown', 'notify', 'quiet'])
      expect(flags).not.toContain(f);
    // The -s alias once appeared twice, inherited from drift.
    expect(await help('drift', 'history')).not.toContain('-s, -s');
  });

  it('unlock lists only what unlock takes', async () => {
    const flags = listedFlags(await help('unlock'));
    expect(flags).toEqual(expect.arrayContaining(['stack', 'all', 'force', 'cwd', 'stacks', 'color']));
    for (const f of ['json', 'quiet', 'plan', 'concurrency', 'shard', 'base', 'message']) expect(flags).not.toContain(f);
  });

  it('a flag a command does not take is refused (exit 2), not ignored', async () => {
    let stderr = '';
    const code = await main(['list', '--quiet'], {
      cwd: '/',
      env: {},
      io: {
        stdout: () => undefined,
        stderr: (t) => {
          stderr += t;
        },
      },
      signal: new AbortController().signal,
    });
    expect(code).toBe(2);
    expect(stderr).toContain('unknown option --quiet');
  });

  it('help wraps at word boundaries: every description comes out whole', async () => {
    for (const [command, set] of Object.entries(commands)) {
      const text = await help(...command.split(' '));
      for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
      // A word cut in two (yargs 17 did that) leaves "remedia tion" once the line breaks are collapsed.
      const flat = text.replace(/\s+/g, ' ');
      for (const o of Object.values(set) as { describe?: string }[])
        if (o.describe) expect(flat, `${command}: ${o.describe}`).toContain(o.describe.replace(/\s+/g, ' '));
    }
  });
});
