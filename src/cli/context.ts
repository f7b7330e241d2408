import { checkPassphrase, ensureFileBackend, resolveBackendUrl } from '../engine/backend.js';
import { PulumiEngine } from '../engine/pulumi-engine.js';
import type { ProgressSink } from '../engine/progress.js';
import { findLayout, type RepoLayout } from '../repo/layout.js';
import { loadStacks, type StackCatalog } from '../stacks/load.js';
import { ensurePulumi } from '../toolchain/pulumi-cli.js';
import { renderProgress } from '../report/console-progress.js';
import type { CliEnv } from './io.js';
import type { GlobalArgs } from './options.js';

export interface Repo {
  layout: RepoLayout;
  catalog: StackCatalog;
}

/** Finds the repository and loads every stack file; throws STACK_INVALID listing every problem. */
export async function openRepo(cli: CliEnv, args: GlobalArgs): Promise<Repo> {
  const layout = findLayout(args.cwd ?? cli.cwd, args.stacks);
  return { layout, catalog: await loadStacks(layout) };
}

/** The engine, after the checks that must pass before anything runs. */
export async function openEngine(cli: CliEnv, layout: RepoLayout): Promise<PulumiEngine> {
  checkPassphrase(cli.env);
  const backendUrl = resolveBackendUrl(layout, cli.env);
  await ensureFileBackend(backendUrl);
  const toolchain = await ensurePulumi(cli.env, (line) => cli.io.stderr(`[toolchain] ${line}\n`));
  return new PulumiEngine({ layout, toolchain, backendUrl, env: cli.env, redactor: cli.redactor });
}

/** A progress sink that prints live per-stack progress to stderr. */
export function consoleSink(cli: CliEnv, quiet = false): ProgressSink {
  return (event) => {
    if (quiet) return;
    const line = renderProgress(event);
    if (line !== undefined) cli.io.stderr(`${line}\n`);
  };
}
