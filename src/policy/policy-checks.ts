import path from 'node:path';
import type { ActionContext } from '../api/action-context.js';
import { say } from '../api/action-context.js';
import type { Engine } from '../engine/engine.js';
import type { PackOrigin } from './pack-source.js';
import { policyEngine } from './policy-engine.js';
import { type PolicyContext, preparePolicySet, settingsAt } from './policy-set.js';
import { policyTargets } from './stack-labels.js';

/** What preparing packs needs, from the action's context. */
export function policyContext(ctx: ActionContext): PolicyContext {
  return {
    root: ctx.layout.root,
    git: ctx.git,
    cacheDir: ctx.policyCacheDir ?? path.join(ctx.layout.workDir, 'policy-packs'),
    log: (line: string) => say(ctx, line),
  };
}

/** Where the packs in force come from, and (a merge request) the head whose new packs run advisory only. */
export interface PolicyOrigins {
  /** The protected side: the commit whose packs and settings are in force; undefined: the working tree (a local run). */
  enforced?: string;
  /** The merge request's head: its packs that the protected side lacks run too, advisory only. */
  proposed?: string;
}

/**
 * `engine`, checking each stack's runs against the policy packs in force at `origins.enforced`
 * (never the change's own), prepared outside the checkout. The engine itself when no pack applies.
 */
export async function withPolicyChecks(
  ctx: ActionContext,
  engine: Engine,
  stacks: readonly string[],
  origins: PolicyOrigins,
): Promise<Engine> {
  const policyCtx = policyContext(ctx);
  const origin = (commit: string | undefined): PackOrigin => (commit ? { commit } : { worktree: true });
  const enforced = { settings: await settingsAt(policyCtx, origin(origins.enforced)), origin: origin(origins.enforced) };
  const proposed = origins.proposed
    ? { settings: await settingsAt(policyCtx, origin(origins.proposed)), origin: origin(origins.proposed) }
    : undefined;
  if (enforced.settings.packs.size === 0 && !proposed?.settings.packs.size) return engine;
  const defs = stacks.map((name) => ctx.catalog.byName.get(name) ?? { name, file: '' });
  // Labels as the protected side has them too: only read when a rule selects by label.
  const byLabel = [enforced, proposed].some((side) => [...(side?.settings.packs.values() ?? [])].some((rule) => rule.labels));
  const targets = await policyTargets(ctx.git, defs, byLabel ? origins.enforced : undefined);
  return policyEngine(engine, await preparePolicySet(policyCtx, targets, enforced, proposed));
}
