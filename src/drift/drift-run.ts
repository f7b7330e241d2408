import { type ActionContext, runContextOf, say } from '../api/action-context.js';
import { checkedForge } from '../api/checked-forge.js';
import type { AlertKind, DriftReport } from '../api/drift-report.js';
import { recordsOnce } from '../engine/records-once.js';
import type { Shard } from '../lib/shard-spec.js';
import { withPolicyChecks } from '../policy/policy-checks.js';
import { type Selection, selectStacks } from '../schedule/select.js';
import { shardStacks } from '../schedule/shard.js';
import type { StackCatalog } from '../stacks/load.js';
import { alertFor } from './alerts.js';
import { deployedCommitOnce, deployedOwnership } from './deployed-ownership.js';
import { type DriftMode, detectDrift, remediates } from './detect.js';
import { appendRecord, toRecord } from './history.js';
import type { DriftHistoryStore } from './history-store.js';
import { type NotifyOutcome, notifyDrift } from './notify.js';
import { type ChannelOutcome, notifyChannels } from './notify-channels.js';
import type { NotifyTarget } from './notify-targets.js';
import { withPendingOperations } from './pending-operations.js';
import { stackRunRecords } from './run-record.js';
import { pastOf, writeRuns } from './stored-history.js';
import { undeployedChangeCheck } from './undeployed-change.js';

export interface DriftRequest extends DriftMode {
  selection: Selection;
  shard?: Shard;
  /** Append this run to a drift history file (JSON Lines). */
  history?: string;
  /** Keep one forge issue per drifted stack up to date. */
  notify: boolean;
  /** Slack and webhook targets (`--notify slack=URL`, `--notify webhook=URL`), parsed and checked at the edge. */
  channels?: readonly NotifyTarget[];
  /**
   * The drift history beside the state (opened at the edge): each run is recorded there, and
   * alerts go out only when a stack's drift is new, changed or resolved. Without it (a backend
   * that has no room for it), every run alerts on the drift it finds.
   */
  store?: DriftHistoryStore;
}

/** One stack in the drift plan, with what the run will do about its drift. */
export interface DriftPlanEntry {
  name: string;
  policy: string;
  remediate: boolean;
}

export interface DriftRun {
  reports: DriftReport[];
  time: Date;
  commit?: string;
  notified: NotifyOutcome[];
  /** What each Slack or webhook target got; a failed one fails the run (the alert was lost). */
  channels: ChannelOutcome[];
  /** With the drift history: the stacks alerted on, and why. */
  alerts?: ReadonlyMap<string, AlertKind>;
}

/** The alert each stack's result calls for, from what the history says about it. Cancelled checks say nothing either way. */
async function alertsOf(store: DriftHistoryStore, reports: readonly DriftReport[]): Promise<Map<string, AlertKind>> {
  const checked = reports.filter((r) => r.status !== 'cancelled' && r.status !== 'skipped');
  const pasts = await pastOf(
    store,
    checked.map((r) => r.name),
  );
  const alerts = new Map<string, AlertKind>();
  for (const r of checked) {
    const alert = alertFor(r, pasts.get(r.name) ?? {});
    if (alert) alerts.set(r.name, alert);
  }
  return alerts;
}

/** Which stacks drift checks, and whether each would be remediated: pure, printed by `--plan`. */
export function planDrift(catalog: StackCatalog, request: Pick<DriftRequest, 'selection' | 'shard' | 'remediate'>): DriftPlanEntry[] {
  let names = selectStacks(catalog, request.selection);
  if (request.shard) names = shardStacks(catalog.stacks, names, request.shard);
  return names.map((name) => {
    const def = catalog.byName.get(name)!;
    return { name, policy: def.drift.policy, remediate: remediates(def, request) };
  });
}

/**
 * `gitops drift`: detection (and remediation where asked) over the planned stacks, then the
 * history line and the forge issues. Returns the reports; the CLI renders them.
 */
export async function drift(ctx: ActionContext, plan: readonly DriftPlanEntry[], request: DriftRequest): Promise<DriftRun> {
  const names = plan.map((p) => p.name);
  // A missing forge setting is refused before anything runs.
  const forge = request.notify ? await checkedForge(ctx, 'drift') : undefined;
  // Remediation is checked against the packs as committed on the branch the drift check runs on.
  const head = await ctx.git.revParse('HEAD').catch(() => undefined);
  const defs = names.map((n) => ctx.catalog.byName.get(n)!);
  // One read of the deploy records for the run, started now: the guard, the ignore rules and the
  // pending-operations check each take theirs from it (the deployed commit and the state).
  const engine = recordsOnce(
    await withPolicyChecks(ctx, await ctx.engine(defs, { writesRecordsIndex: true }), names, { enforced: head }),
    { latestUpdate: false },
    defs,
  );
  const run = runContextOf(ctx, engine, { message: 'gitops drift remediation' });
  const deployedOf = deployedCommitOnce();
  const detected = await detectDrift(names, run, {
    ...request,
    undeployedChange: undeployedChangeCheck(ctx, deployedOf),
    ownership: deployedOwnership(ctx, deployedOf),
  });
  const reports = await withPendingOperations(detected, engine, ctx.catalog);
  const time = ctx.clock();
  const commit = ctx.ci.commit ?? (await ctx.git.revParse('HEAD').catch(() => undefined));
  if (request.history) await appendRecord(request.history, toRecord(reports, time, commit));
  let notified: NotifyOutcome[] = [];
  if (forge) {
    notified = await notifyDrift(reports, forge, ctx.redact, { commit, time, pipelineUrl: ctx.ci.pipelineUrl, jobUrl: ctx.ci.jobUrl });
    for (const o of notified) if (o.action !== 'none') say(ctx, `[${o.stack}] drift issue ${o.action}${o.url ? `: ${o.url}` : ''}`);
  }
  const alerts = request.store ? await alertsOf(request.store, reports) : undefined;
  const channels = await notifyChannels(reports, request.channels ?? [], { time, commit, pipelineUrl: ctx.ci.pipelineUrl }, ctx.redact, {
    signal: ctx.signal,
    onRetry: (target, delayMs) => say(ctx, `notify ${target}: retrying in ${(delayMs / 1000).toFixed(1)}s`),
    ...(alerts ? { alerts } : {}),
  });
  for (const c of channels) {
    if (!c.ok) say(ctx, `error: notify ${c.target}: ${c.error}`, 'warning');
    else say(ctx, c.sent ? `notify ${c.target}: sent` : `notify ${c.target}: nothing new to report`);
  }
  if (request.store) {
    // Recorded after the alerts, so an alert that could not be delivered is sent again next run.
    const recorded = reports.filter((r) => r.status === 'succeeded' || r.status === 'failed');
    const records = stackRunRecords(
      recorded,
      { time, commit, jobUrl: ctx.ci.jobUrl ?? ctx.ci.pipelineUrl },
      alerts ?? new Map(),
      channels.every((c) => c.ok),
    );
    await writeRuns(request.store, records, time);
    say(ctx, `drift history: ${records.length} stack${records.length === 1 ? '' : 's'} recorded in ${request.store.where()}`);
  }
  return { reports, time, commit, notified, channels, ...(alerts ? { alerts } : {}) };
}
