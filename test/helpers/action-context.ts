import { afterEach, beforeEach } from 'vitest';
import type { ActionContext } from '../../src/api/action-context.js';
import type { ProgressEvent } from '../../src/engine/progress.js';
import { userError } from '../../src/errors/gitops-error.js';
import type { Forge } from '../../src/forge/forge.js';
import { Git } from '../../src/git/git.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { FakeEngine } from './fake-engine.js';
import { type ForgeServer, startGitlabForge } from './forge-server.js';
import type { GitRepo } from './git-repo.js';

export interface TestContext {
  ctx: ActionContext;
  engine: FakeEngine;
  /** Every progress event the action emitted. */
  events: ProgressEvent[];
  /** The operator lines (`log` events). */
  lines: () => string[];
}

/**
 * An action context over a real repository folder (stack files read for real, git real), with a
 * FakeEngine and, when given, a forge. Like CDK's TestIoHost: the test reads what was emitted.
 */
export async function testContext(
  root: string,
  options: { forge?: Forge; signal?: AbortSignal; branch?: string; concurrency?: number; stacksDir?: string } = {},
): Promise<TestContext> {
  const layout = layoutAt(root, options.stacksDir);
  const engine = new FakeEngine();
  const events: ProgressEvent[] = [];
  const ctx: ActionContext = {
    layout,
    catalog: await loadStacks(layout),
    engine: async (stacks) => {
      engine.opened.push(stacks.map((s) => s.name));
      return engine;
    },
    git: new Git(root),
    forge: async () => {
      if (!options.forge) throw userError('USAGE', 'no forge in this test');
      return options.forge;
    },
    sink: (e) => events.push(e),
    signal: options.signal ?? new AbortController().signal,
    clock: () => new Date('2026-11-27T12:00:00Z'),
    ci: { defaultBranch: 'main', branch: options.branch },
    redact: (t) => t,
    concurrency: options.concurrency ?? 2,
  };
  return { ctx, engine, events, lines: () => events.flatMap((e) => (e.type === 'log' ? [e.message] : [])) };
}

/**
 * The preamble of an action test: a fresh local forge server (and a GitLab client of it) for
 * every test, so no test sees another's merge requests, and the test's repository removed after
 * it. `set` receives each test's server and client; `repo` names the repository to remove.
 */
export function freshForgeEachTest(set: (s: { server: ForgeServer; forge: Forge }) => void, repo: () => GitRepo | undefined): void {
  let current: ForgeServer | undefined;
  beforeEach(async () => {
    const s = await startGitlabForge();
    current = s.server;
    set(s);
  });
  afterEach(async () => {
    await repo()?.dispose();
    await current?.close();
  });
}
