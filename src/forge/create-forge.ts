import type { ForgeContext } from './context.js';
import type { Forge } from './forge.js';
import { GithubForge } from './github.js';
import { GitlabForge } from './gitlab.js';
import type { RetryNotice } from './gitlab-requester.js';
import type { RetryPolicy } from './retry-policy.js';

export interface ForgeOptions {
  /** Per-request timeout; a hung forge must not hang the pipeline. Default 60 s. */
  timeoutMs?: number;
  /** Retry bounds of API calls (default {@link forgeRetryPolicy}); tests shorten the waits. */
  retryPolicy?: RetryPolicy;
  /**
   * GitHub: the least time between two writes (default: @octokit/plugin-throttling's 1 s, and 3 s
   * for writes that notify people, after GitHub's advice for mutating requests); tests use 0.
   */
  writeSpacingMs?: number;
  /** Hears of each retry before its wait (GitLab). */
  onRetry?: (notice: RetryNotice) => void;
}

/** The forge for a context (from {@link forgeContextFromEnv} or built by hand, e.g. in tests). */
export function createForge(ctx: ForgeContext, options: ForgeOptions = {}): Forge {
  return ctx.platform === 'gitlab' ? new GitlabForge(ctx, options) : new GithubForge(ctx, options);
}
