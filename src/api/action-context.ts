import type { Engine } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { Forge } from '../forge/forge.js';
import type { GitReader } from '../git/git.js';
import type { RepoLayout } from '../repo/layout.js';
import type { RunContext } from '../schedule/run-context.js';
import type { StackCatalog } from '../stacks/load.js';
import type { StackDefinition } from '../stacks/schema.js';

/** Facts about the CI run, read once from the environment at the edge. */
export interface CiFacts {
  /** The branch the pipeline runs for, when the CI says so. */
  branch?: string;
  /** The repository's default branch (flag, CI variable, else `main`). */
  defaultBranch: string;
  /** A link to this pipeline, for reports and update messages. */
  pipelineUrl?: string;
  /** A link to this CI job (the GitHub run attempt), for reports that say which job produced them. */
  jobUrl?: string;
  /** The commit the CI says it runs for. */
  commit?: string;
}

/**
 * Everything an action touches, passed in: the repository and its catalogue, the engine
 * (opened lazily, because opening it installs the toolchain), git, the forge, where progress
 * goes, the signal that cancels, and the clock. Actions return data; the CLI renders it.
 * In-process tests build one with a FakeEngine and a real temporary repository.
 */
export interface ActionContext {
  layout: RepoLayout;
  catalog: StackCatalog;
  /**
   * Opens the engine for the stacks about to run. `projectText`: the root Pulumi.yaml whose
   * `backend.url` applies instead of the working tree's (a merge request's jobs pass the base's).
   * `writesRecordsIndex`: the command writes the state anyway (deploy, drift), so it keeps the
   * backend's records index up to date too.
   */
  engine: (stacks: readonly StackDefinition[], options?: { projectText?: string | null; writesRecordsIndex?: boolean }) => Promise<Engine>;
  git: GitReader;
  /** The forge of this pipeline; throws FORGE_ERROR when the CI does not name one. */
  forge: () => Promise<Forge>;
  sink: ProgressSink;
  signal: AbortSignal;
  clock: () => Date;
  ci: CiFacts;
  /** Removes known secrets from text bound for a forge or a file. */
  redact: (text: string) => string;
  /** How many stacks run at once. */
  concurrency: number;
  /** Where prepared policy packs and their dependencies are cached (default: under the work folder). */
  policyCacheDir?: string;
}

/** Tells the operator something through the progress sink. */
export function say(ctx: Pick<ActionContext, 'sink'>, message: string, level: 'info' | 'warning' = 'info'): void {
  ctx.sink({ type: 'log', message, level });
}

/**
 * The run context of an action over many stacks: its engine, with the sink, concurrency and
 * signal of `ctx`, and the catalogue of `ctx` unless the run has its own (one with inferred
 * dependencies, say).
 */
export function runContextOf(
  ctx: ActionContext,
  engine: Engine,
  run: Pick<RunContext, 'message' | 'commit'> & { catalog?: StackCatalog } = {},
): RunContext {
  return {
    engine,
    catalog: run.catalog ?? ctx.catalog,
    sink: ctx.sink,
    concurrency: ctx.concurrency,
    signal: ctx.signal,
    message: run.message,
    commit: run.commit,
  };
}
