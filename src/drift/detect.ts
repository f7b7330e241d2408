import type { DriftReport } from '../api/drift-report.js';
import type { Engine } from '../engine/engine.js';
import type { StackError } from '../engine/result.js';
import type { RunContext } from '../schedule/run-context.js';
import { schedule } from '../schedule/scheduler.js';
import type { StackDefinition } from '../stacks/schema.js';
import { beyondDrift } from './converges.js';
import { guardedPlan, remediationGuard } from './guard.js';
import { type DriftOwnership, remediationIgnores, revertsManagedElsewhere, splitManagedElsewhere } from './managed-elsewhere.js';

/** How drift treats the stacks it checks. */
export interface DriftMode {
  /**
   * true: remediate every selected stack (`--remediate`); false: detection only, whatever the
   * policy (`--detect-only`, `--no-remediate`); undefined: each stack's `drift.policy` decides.
   */
  remediate?: boolean;
  /** Let remediation delete or replace resources. */
  allowDestroy: boolean;
  /**
   * Why remediating this stack would deploy a change Git holds but deploy has not applied (a
   * change refused for missing approvals, say), or undefined when head is what was deployed.
   * Remediation converges on Git's head, so without this it would apply such a change unreviewed.
   */
  undeployedChange?: (def: StackDefinition, engine: Engine) => Promise<string | undefined>;
  /**
   * The ignore rules in force (`drift.ignoreManagers`/`ignorePaths`): the head's, narrowed to
   * those deploy has applied. Without it, the head's rules.
   */
  ownership?: (def: StackDefinition, engine: Engine) => Promise<DriftOwnership>;
}

/** True when the report leaves drift in place. */
export function driftLeft(r: DriftReport): boolean {
  return r.action === 'reported' || r.action === 'blocked' || r.action === 'failed';
}

/** True when the stack's policy, or this run, asks for remediation. */
export function remediates(def: StackDefinition, mode: Pick<DriftMode, 'remediate'>): boolean {
  return mode.remediate ?? def.drift.policy === 'remediate';
}

function emptyReport(
  def: StackDefinition,
): Pick<DriftReport, 'name' | 'policy' | 'drifted' | 'deleted' | 'managedElsewhere' | 'unchanged'> {
  return { name: def.name, policy: def.drift.policy, drifted: [], deleted: [], managedElsewhere: [], unchanged: 0 };
}

async function driftOne(def: StackDefinition, run: RunContext, mode: DriftMode): Promise<DriftReport> {
  const { engine, sink, signal, message } = run;
  const started = Date.now();
  const base = emptyReport(def);
  const detection = await engine.run({ stack: def, operation: 'refresh-preview', signal }, sink);
  const done = (rest: Partial<DriftReport> & Pick<DriftReport, 'status' | 'action'>): DriftReport => ({
    ...base,
    ...(detection.policy ? { policyChecks: detection.policy } : {}),
    ...rest,
    durationMs: Date.now() - started,
  });
  if (detection.status !== 'succeeded') return done({ status: detection.status, action: 'failed', error: detection.error });
  // An update whose declared properties all match (only live-only fields moved) is not drift.
  // Fields an autoscaler or another controller owns (drift.ignoreManagers / ignorePaths) are not drift.
  const ownership = (await mode.ownership?.(def, engine)) ?? def.drift;
  const split = splitManagedElsewhere(
    detection.resources.filter((r) => r.op === 'update' && r.properties.length > 0),
    ownership,
  );
  base.drifted = split.drifted;
  base.managedElsewhere = split.managedElsewhere;
  base.deleted = detection.resources.filter((r) => r.op === 'delete');
  base.unchanged = (detection.changes.same ?? 0) + detection.resources.filter((r) => r.op === 'update' && r.properties.length === 0).length;
  if (base.drifted.length + base.deleted.length === 0) return done({ status: 'succeeded', action: 'none' });
  if (!remediates(def, mode)) return done({ status: 'succeeded', action: 'reported' });
  // Detection above still reports; only the remediation waits for the deploy.
  const waiting = await mode.undeployedChange?.(def, engine);
  if (waiting) return done({ status: 'succeeded', action: 'blocked', blockedReason: waiting });

  // Remediation keeps the live value of every field managed elsewhere (a transform adds Pulumi
  // ignoreChanges for them), so converging on Git never starts a fight with their manager.
  const ignoreChanges = remediationIgnores(detection.resources, base.managedElsewhere, ownership);
  const ignoring = ignoreChanges.length > 0 ? { ignoreChanges } : {};
  // The preview saves its plan: remediation is bound to exactly what the guard checks.
  const preview = await engine.run({ stack: def, operation: 'remediate-preview', signal, ...ignoring, plan: {} }, sink);
  // A killed run (or a dead provider) left operations of unknown outcome: converging now could duplicate or forget resources.
  if (preview.error?.code === 'PENDING_OPERATIONS' || preview.error?.code === 'UNKNOWN_OUTCOME')
    return done({ status: 'failed', action: 'blocked', blockedReason: preview.error.message, error: preview.error });
  if (preview.status !== 'succeeded') return done({ status: preview.status, action: 'failed', error: preview.error });
  const blockedReason =
    remediationGuard(preview, def, mode.allowDestroy) ?? revertsManagedElsewhere(preview, ignoreChanges) ?? beyondDrift(preview, base);
  if (blockedReason) return done({ status: 'succeeded', action: 'blocked', blockedReason });
  const plan = guardedPlan(preview);
  if (!plan)
    return done({ status: 'succeeded', action: 'blocked', blockedReason: "the guard's preview saved no plan to bind remediation to" });

  const refresh = await engine.run({ stack: def, operation: 'refresh', signal, message, plan: plan.refresh }, sink);
  if (refresh.status !== 'succeeded')
    return done({ status: refresh.status, action: 'failed', error: remediationError(refresh.error), remediation: refresh });
  const up = await engine.run({ stack: def, operation: 'up', signal, message, ...ignoring, plan: plan.up }, sink);
  if (up.status !== 'succeeded') return done({ status: up.status, action: 'failed', error: remediationError(up.error), remediation: up });
  return done({ status: 'succeeded', action: 'remediated', remediation: up });
}

/** A remediation refused because the stack moved after the guard's preview says so first. */
function remediationError(error: StackError | undefined): StackError | undefined {
  if (error?.code !== 'PREVIEW_STALE') return error;
  return { code: error.code, message: `remediation refused, the stack changed after the guard checked its preview: ${error.message}` };
}

/**
 * Drift over many stacks: each check is a refresh preview (writes no state); stacks are
 * independent, so they all run in parallel under the concurrency limit, and a failing stack
 * does not stop the others.
 */
export function detectDrift(names: readonly string[], run: RunContext, mode: DriftMode): Promise<DriftReport[]> {
  return schedule(
    names.map((name) => ({ name, after: [], reasons: ['selected'] })),
    (name) => driftOne(run.catalog.byName.get(name)!, run, mode),
    {
      concurrency: run.concurrency,
      signal: run.signal,
      skipped: (name, reason) => ({
        ...emptyReport(run.catalog.byName.get(name)!),
        status: 'skipped',
        action: 'failed',
        error: { code: 'CANCELLED', message: reason },
        durationMs: 0,
      }),
    },
  );
}
