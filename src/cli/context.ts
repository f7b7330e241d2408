import { checkPassphrase, ensureFileBackend, resolveBackendUrl } from '../engine/backend.js';
import { PulumiEngine } from '../engine/pulumi-engine.js';
import type { ProgressSink } from '../engine/progress.js';
import { findLayout, type RepoLayout } from '../repo/layout.js';
import { loadStacks, type StackCatalog } from '../stacks/load.js';
import { ensurePulumi } from '../toolchain/pulumi-cli.js';
import { ensureKubernetesProvider } from '../toolchain/kubernetes-provider.js';
import type { StackDefinition } from '../stacks/schema.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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
export async function openEngine(cli: CliEnv, layout: RepoLayout, stacks: readonly StackDefinition[] = []): Promise<PulumiEngine> {
  checkPassphrase(cli.env);
  const backendUrl = resolveBackendUrl(layout, cli.env);
  await ensureFileBackend(backendUrl);
  const log = (line: string): void => cli.io.stderr(`[toolchain] ${line}\n`);
  const toolchain = await ensurePulumi(cli.env, log);
  // Provider plugins cannot be downloaded offline: install the ones the programs need up front.
  if (usesPackage(layout, stacks, '@pulumi/kubernetes')) await ensureKubernetesProvider(cli.env, log);
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

/** True when a selected stack's program entry imports `pkg` (a cheap text check of index.ts). */
function usesPackage(layout: RepoLayout, stacks: readonly StackDefinition[], pkg: string): boolean {
  const programs = new Set(stacks.map((s) => s.program));
  return [...programs].some((p) => {
    const file = path.join(layout.programsDir, p, 'index.ts');
    return existsSync(file) && readFileSync(file, 'utf8').includes(`'${pkg}'`);
  });
}
