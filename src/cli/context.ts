import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { ActionContext } from '../api/action-context.js';
import { resolveBackendUrl } from '../backend/backend-url.js';
import { deferredEngine } from '../engine/deferred-engine.js';
import { DeployRecords, recordsViaCli } from '../engine/deploy-records.js';
import type { Engine } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import { type RunScope, scopedEngine } from '../engine/run-scope.js';
import { checkSingleSdk, driverSdk, type SdkCopy, sdkFrom } from '../engine/single-sdk.js';
import { asGitopsError, GitopsError, userError } from '../errors/gitops-error.js';
import { forgeContextFromEnv, jobUrlFromEnv, pipelineUrlFromEnv } from '../forge/context.js';
import { Git } from '../git/git.js';
import { ciBranch, defaultBranchOf } from '../merge-request/branch-guard.js';
import type { RepoLayout } from '../repo/layout.js';
import { renderHeartbeat, renderProgress } from '../report/console-progress.js';
import type { StackDefinition } from '../stacks/schema.js';
import { toolCacheDir } from '../toolchain/tool-cache.js';
import type { CliEnv } from './io.js';
import type { GlobalArgs } from './options.js';
import { openRepo } from './repo.js';

/**
 * The forge settings from the CI variables. Missing or malformed ones are a configuration error
 * (exit 2, as the README's table says), met before anything runs.
 */
function forgeSettings(env: NodeJS.ProcessEnv): ReturnType<typeof forgeContextFromEnv> {
  try {
    return forgeContextFromEnv(env);
  } catch (err) {
    const e = asGitopsError(err);
    if (e.kind !== 'user') throw err;
    throw new GitopsError({ code: 'USAGE', kind: 'user', message: e.message, ...(e.hint ? { hint: e.hint } : {}), cause: err });
  }
}

/** The SDK copy Node resolves from the repository root and from each program folder the stacks run. */
function programSdks(layout: RepoLayout, stacks: readonly StackDefinition[]): Map<string, SdkCopy | undefined> {
  const folders = [layout.root, ...new Set(stacks.map((s) => path.join(layout.programsDir, s.program)))];
  return new Map(folders.map((f) => [path.relative(layout.root, f) || '.', sdkFrom(f)]));
}

/**
 * The engine, after the checks that must pass before anything runs. Loaded on demand: the
 * Automation API and the toolchain code cost a third of a second to load, and most commands
 * never need them.
 */
export async function openEngine(
  cli: CliEnv,
  layout: RepoLayout,
  stacks: readonly StackDefinition[],
  options: { needsSecrets?: boolean; projectText?: string | null } = {},
): Promise<Engine> {
  checkSingleSdk(driverSdk(), programSdks(layout, stacks));
  const { openPulumiEngine } = await import('../engine/open-engine.js');
  const log = (line: string): void => cli.io.stderr(`[toolchain] ${line}\n`);
  return openPulumiEngine({ layout, stacks, env: cli.env, redactor: cli.redactor, log, ...options });
}

/**
 * The engine of commands that mostly read deploy records (`status`, `deploy --since-deployed`):
 * records come straight from a file or S3 backend, and the real engine (toolchain, Automation
 * API, passphrase checks) is opened only when a stack runs or a record must come through the CLI.
 */
export function recordsFirstEngine(
  cli: CliEnv,
  layout: RepoLayout,
  stacks: readonly StackDefinition[],
  options: { needsSecrets?: boolean } = {},
): Engine {
  let real: Promise<Engine> | undefined;
  const open = (): Promise<Engine> => {
    real ??= openEngine(cli, layout, stacks, options);
    return real;
  };
  const records = new DeployRecords(
    resolveBackendUrl(layout, cli.env),
    async (s) => (await open()).lastDeployedCommit(s),
    recordsViaCli(cli.env),
  );
  return deferredEngine(open, records);
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
  options: { defaultBranch?: string; scope?: RunScope } = {},
): Promise<ActionContext> {
  const { layout, catalog } = await openRepo(cli, args);
  const redactor = cli.redactor;
  const { scope } = options;
  return {
    layout,
    catalog,
    engine: async (stacks, engineOptions) => {
      const engine = await openEngine(cli, layout, stacks, engineOptions);
      return scope && (scope.targets || scope.refresh) ? scopedEngine(engine, scope) : engine;
    },
    git: new Git(layout.root),
    forge: async () => {
      const { createForge } = await import('../forge/create-forge.js');
      return createForge(forgeSettings(cli.env));
    },
    sink: consoleSink(cli, args.quiet),
    signal: cli.signal,
    clock: () => new Date(),
    ci: {
      branch: ciBranch(cli.env),
      defaultBranch: defaultBranchOf(cli.env, options.defaultBranch),
      pipelineUrl: pipelineUrlFromEnv(cli.env),
      jobUrl: jobUrlFromEnv(cli.env),
      commit: cli.env.GITOPS_COMMIT ?? cli.env.CI_COMMIT_SHA ?? cli.env.GITHUB_SHA,
    },
    redact: (text) => (redactor ? redactor.redact(text) : text),
    concurrency: args.concurrency ?? 1,
    policyCacheDir: toolCacheDir(cli.env, 'policy-packs', 'v1'),
  };
}
