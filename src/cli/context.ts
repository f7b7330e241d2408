import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { type ContextOptions, contextFromEnv } from '../actions/context-from-env.js';
import type { EngineHost } from '../actions/open-engine.js';
import type { ActionContext } from '../api/action-context.js';
import type { ProgressSink } from '../engine/progress.js';
import { userError } from '../errors/gitops-error.js';
import { renderHeartbeat, renderProgress } from '../report/console-progress.js';
import type { CliEnv } from './io.js';
import type { GlobalArgs } from './options/common.js';
import { openRepo } from './repo.js';

/** What opening the engine takes from this process (see `EngineHost`). */
export function engineHost(cli: CliEnv): EngineHost {
  return { env: cli.env, redactor: cli.redactor, log: (line) => cli.io.stderr(`[toolchain] ${line}\n`) };
}

/** How often a long operation says it is still running. */
export const heartbeatMs = 15_000;

/**
 * A progress sink that prints live per-stack progress to stderr, and a heartbeat line for each
 * stack still running every {@link heartbeatMs} (a CI log that stays silent for minutes looks
 * hung); quiet keeps only warnings.
 */
export function consoleSink(cli: CliEnv, quiet = false, now: () => number = Date.now): ProgressSink {
  const running = new Map<string, { operation: string; since: number }>();
  let timer: NodeJS.Timeout | undefined;
  const beat = (): void => {
    for (const [stack, r] of running) cli.io.stderr(`${renderHeartbeat(stack, r.operation, now() - r.since)}\n`);
  };
  return (event) => {
    if (event.type === 'stack-start') running.set(event.stack, { operation: event.operation, since: now() });
    if (event.type === 'stack-done') running.delete(event.stack);
    if (quiet && !(event.type === 'log' && event.level === 'warning')) return;
    if (running.size > 0 && !timer) {
      timer = setInterval(beat, heartbeatMs);
      // The heartbeat never keeps the process alive on its own.
      timer.unref();
    } else if (running.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    const line = renderProgress(event);
    if (line !== undefined) cli.io.stderr(`${line}\n`);
  };
}

/**
 * Checks, before anything runs, that an output file can be written: its folder exists and is
 * writable. Returns the absolute path.
 */
export function writableFile(cli: CliEnv, flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const abs = path.resolve(cli.cwd, file);
  const dir = path.dirname(abs);
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw userError(
      'USAGE',
      `--${flag} ${file}: cannot write there: folder ${dir} ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not writable'}`,
    );
  }
  if (statSync(abs, { throwIfNoEntry: false })?.isDirectory()) throw userError('USAGE', `--${flag} ${file}: is a folder, not a file`);
  return abs;
}

/** The action context of a CLI run: everything read from the environment once, here. */
export async function actionContext(
  cli: CliEnv,
  args: Pick<GlobalArgs, 'cwd' | 'stacks'> & { quiet?: boolean; concurrency?: number },
  options: Omit<ContextOptions, 'concurrency'> = {},
): Promise<ActionContext> {
  const facts = { ...engineHost(cli), signal: cli.signal, sink: consoleSink(cli, args.quiet) };
  return contextFromEnv(await openRepo(cli, args), facts, { ...options, concurrency: args.concurrency });
}
