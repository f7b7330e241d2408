import { existsSync } from 'node:fs';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { type DeploymentState, readCheckpoint } from '../backend-state/pending-operations.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { PlanRequest } from './engine.js';
import type { Operation } from './result.js';
import { type StateVersion, stateDigest, stateMoved } from './state-version.js';

/** Previews that save a plan; the others obey one. */
const savingOps = new Set<Operation>(['preview', 'remediate-preview']);
/** Previews that only record the state they saw: Pulumi has no plans for destroy. */
const stateOnlyOps = new Set<Operation>(['destroy-preview']);

/** A plan made ready for one operation on an opened stack. */
export interface PreparedPlan {
  /** The plan file to save (previews) or obey (`up`); undefined when only the state is checked. */
  file?: string;
  /** Previews: the state the plan is made against, read before the preview runs. */
  state?: StateVersion;
}

/**
 * The stack's state version: its last update's version and a digest of its state. On a file
 * backend the state is read from its checkpoint (no CLI call); elsewhere it is exported, still
 * encrypted. Reading it before a preview, never after, keeps a race safe: a deploy landing in
 * between makes the recorded version older than what the preview saw, so the plan reads stale.
 */
export async function readStateVersion(stack: Stack, stateFile: string | undefined): Promise<StateVersion> {
  const [last] = await stack.history(1, 1, false);
  let deployment: DeploymentState | undefined;
  if (stateFile) deployment = existsSync(stateFile) ? await readCheckpoint(stateFile) : undefined;
  else deployment = (await stack.exportStack()).deployment as DeploymentState | undefined;
  return {
    update: last?.version ?? 0,
    lastUpdate: last ? `${last.kind} ${new Date(last.startTime).toISOString()}` : 'none',
    digest: stateDigest(deployment),
  };
}

/**
 * Makes an opened stack ready for a plan-bound operation. Update plans are experimental in
 * Pulumi 3.248, so `PULUMI_EXPERIMENTAL` is set for this stack's commands only. The secrets in a
 * plan are encrypted with the workspace's config salt, and a workspace made afresh (a new CI
 * job, a stack file without `encryptionSalt`) draws a new one: `up --plan` then fails with
 * "decrypting secret value: cipher: message authentication failed" (pulumi/pulumi#16412, seen
 * here on 3.248). So an `up` reuses the salt the preview stored with its plan. A writing
 * operation given the state its plan was made against refuses (PREVIEW_STALE) when the state moved.
 */
export async function preparePlan(
  name: string,
  stack: Stack,
  operation: Operation,
  plan: PlanRequest,
  where: { stateFile: string | undefined; defaultFile: string; pinnedSalt: string | undefined },
): Promise<PreparedPlan> {
  stack.workspace.envVars.PULUMI_EXPERIMENTAL = 'true';
  if (savingOps.has(operation)) {
    return { file: plan.file ?? where.defaultFile, state: await readStateVersion(stack, where.stateFile) };
  }
  if (stateOnlyOps.has(operation)) return { state: await readStateVersion(stack, where.stateFile) };
  if (plan.encryptionSalt && !where.pinnedSalt) {
    const settings = await stack.workspace.stackSettings(stack.name);
    if (settings.encryptionSalt !== plan.encryptionSalt)
      await stack.workspace.saveStackSettings(stack.name, { ...settings, encryptionSalt: plan.encryptionSalt });
  }
  if (plan.expectState) {
    const moved = stateMoved(plan.expectState, await readStateVersion(stack, where.stateFile));
    if (moved) throw staleError(name, moved);
  }
  return { file: plan.file };
}

/** The config salt a preview's plan was encrypted with (stored with the plan for the `up`). */
export async function planSalt(stack: Stack): Promise<string | undefined> {
  return (await stack.workspace.stackSettings(stack.name)).encryptionSalt;
}

/** PREVIEW_STALE: what was previewed no longer holds. */
export function staleError(name: string, reason: string, cause?: unknown): GitopsError {
  return new GitopsError({
    code: 'PREVIEW_STALE',
    kind: 'external',
    message: `stack ${name}: the approved preview is stale: ${reason}`,
    hint: 'nothing outside the reviewed plan ran; preview again and review what it shows now',
    cause,
  });
}

const violation = /resource (urn:pulumi:\S+) violates plan: ([^[\n]*?)(?:\[|:?\s*$)/m;
const undecryptable = /decrypting secret value: cipher: message authentication failed/;

/**
 * When an operation bound to a plan failed because Pulumi rejected the plan, the PREVIEW_STALE
 * error that says so; undefined for any other failure. Only the resource and the kind of
 * departure are named: Pulumi's message goes on to print property values.
 */
export function planRejection(name: string, failure: string, cause: unknown): GitopsError | undefined {
  const m = violation.exec(failure);
  if (m) {
    const resource = m[1]!.split('::').pop();
    return staleError(
      name,
      `the update departed from its plan at resource ${resource} (${m[2]!.trim().replace(/:$/, '')}), and Pulumi stopped it there`,
      cause,
    );
  }
  if (undecryptable.test(failure))
    return staleError(name, "the plan cannot be decrypted with this stack's passphrase and salt any more", cause);
  return undefined;
}
