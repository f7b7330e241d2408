import type { ForgeContext } from './context.js';
import type { Forge } from './forge.js';
import { GithubForge } from './github.js';
import { GitlabForge } from './gitlab.js';

export interface ForgeOptions {
  /** Per-request timeout; a hung forge must not hang the pipeline. Default 60 s. */
  timeoutMs?: number;
}

/** The forge for a context (from {@link forgeContextFromEnv} or built by hand, e.g. in tests). */
export function createForge(ctx: ForgeContext, options: ForgeOptions = {}): Forge {
  return ctx.platform === 'gitlab' ? new GitlabForge(ctx, options) : new GithubForge(ctx, options);
}
