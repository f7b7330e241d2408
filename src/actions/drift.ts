import type { ActionContext } from '../api/action-context.js';
import { resolveBackendUrl } from '../backend/backend-url.js';
import { driftLeft } from '../drift/detect.js';
import { type DriftPlanEntry, type DriftRequest, type DriftRun, drift, planDrift } from '../drift/drift-run.js';
import { type NotifyTarget, parseNotifyTargets } from '../drift/notify-targets.js';
import { openDriftHistoryStore } from '../drift/open-history-store.js';
import { isStackUsageFailure } from '../errors/exit-codes.js';
import type { Redactor } from '../secrets/redact.js';

/**
 * The targets of `--notify`, checked before anything runs (exit 2 naming the value). Slack and
 * webhook URLs carry their tokens, so the redactor learns them here.
 */
export function notifyTargets(values: readonly string[] | undefined, env: NodeJS.ProcessEnv, redactor?: Redactor): NotifyTarget[] {
  const targets = parseNotifyTargets(values, env);
  for (const t of targets) if (t.kind !== 'issue') redactor?.add(t.url);
  return targets;
}

/** What `gitops drift` is asked: which stacks, what to do with drift, where to tell it. */
export type DriftCommand = Omit<DriftRequest, 'notify' | 'channels' | 'store'> & { targets: readonly NotifyTarget[] };

function requestOf(command: DriftCommand): DriftRequest {
  const { targets, ...rest } = command;
  return { ...rest, notify: targets.some((t) => t.kind === 'issue'), channels: targets.filter((t) => t.kind !== 'issue') };
}

/** Which stacks drift checks, and whether each would be remediated: pure, printed by `--plan`. */
export function driftPlan(ctx: Pick<ActionContext, 'catalog'>, command: DriftCommand): DriftPlanEntry[] {
  return planDrift(ctx.catalog, requestOf(command));
}

/** How a drift run ended, for its exit code. */
export interface DriftOutcome {
  cancelled: boolean;
  usage: boolean;
  failed: boolean;
  changesLeft: boolean;
}

/**
 * `gitops drift`: the planned stacks checked (and remediated where asked), with the drift
 * history kept beside the state when the backend has room for it (file and S3 backends).
 */
export async function runDrift(
  ctx: ActionContext,
  env: NodeJS.ProcessEnv,
  plan: readonly DriftPlanEntry[],
  command: DriftCommand,
): Promise<DriftRun & { outcome: DriftOutcome }> {
  const store = await openDriftHistoryStore(resolveBackendUrl(ctx.layout, env));
  const run = await drift(ctx, plan, { ...requestOf(command), ...(store ? { store } : {}) });
  const { reports, channels } = run;
  const outcome = {
    cancelled: ctx.signal.aborted || reports.some((r) => r.status === 'cancelled'),
    usage: reports.some((r) => isStackUsageFailure(r.error?.code)),
    // A notification that could not be delivered fails the run: the alert was lost.
    failed: reports.some((r) => r.status !== 'succeeded') || channels.some((c) => !c.ok),
    changesLeft: reports.some(driftLeft),
  };
  return { ...run, outcome };
}
