import type { ActionContext } from '../api/action-context.js';
import type { ProgressSink } from '../engine/progress.js';
import type { RunScope } from '../engine/run-scope.js';
import { asGitopsError, GitopsError } from '../errors/gitops-error.js';
import { forgeSettingsFromEnv, jobUrlFromEnv, pipelineUrlFromEnv } from '../forge/ci-settings.js';
import { Git } from '../git/git.js';
import { ciBranch, defaultBranchOf } from '../merge-request/branch-guard.js';
import type { Redactor } from '../secrets/redact.js';
import { toolCacheDir } from '../toolchain/tool-cache.js';
import { type EngineHost, engineOpener } from './open-engine.js';
import type { Repo } from './repo.js';

/**
 * The forge settings from the CI variables. Missing or malformed ones are a configuration error
 * (exit 2, as the README's table says), met before anything runs.
 */
function forgeSettings(env: NodeJS.ProcessEnv): ReturnType<typeof forgeSettingsFromEnv> {
  try {
    return forgeSettingsFromEnv(env);
  } catch (err) {
    const e = asGitopsError(err);
    if (e.kind !== 'user') throw err;
    throw new GitopsError({ code: 'USAGE', kind: 'user', message: e.message, ...(e.hint ? { hint: e.hint } : {}), cause: err });
  }
}

/** What an action takes from the process it runs in. */
export interface ProcessFacts extends EngineHost {
  redactor?: Redactor;
  signal: AbortSignal;
  sink: ProgressSink;
}

export interface ContextOptions {
  concurrency?: number;
  /** `--default-branch`: overrides what the CI says. */
  defaultBranch?: string;
  /** Which stacks' runs may touch state (`--stack`-scoped runs; see `RunScope`). */
  scope?: RunScope;
}

/** The action context of a run: everything read from the environment once, here. */
export function contextFromEnv(repo: Repo, facts: ProcessFacts, options: ContextOptions = {}): ActionContext {
  const { layout, catalog } = repo;
  const { env, redactor } = facts;
  return {
    layout,
    catalog,
    engine: engineOpener(facts, layout, options.scope),
    git: new Git(layout.root),
    forge: async () => {
      const { createForge } = await import('../forge/create-forge.js');
      return createForge(forgeSettings(env));
    },
    sink: facts.sink,
    signal: facts.signal,
    clock: () => new Date(),
    ci: {
      branch: ciBranch(env),
      defaultBranch: defaultBranchOf(env, options.defaultBranch),
      pipelineUrl: pipelineUrlFromEnv(env),
      jobUrl: jobUrlFromEnv(env),
      commit: env.GITOPS_COMMIT ?? env.CI_COMMIT_SHA ?? env.GITHUB_SHA,
    },
    redact: (text) => (redactor ? redactor.redact(text) : text),
    concurrency: options.concurrency ?? 1,
    policyCacheDir: toolCacheDir(env, 'policy-packs', 'v1'),
  };
}
