import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { OutputMap, Stack } from '@pulumi/pulumi/automation/index.js';
import { GitopsError } from '../errors/gitops-error.js';
import { reapLeftovers, watchProcesses } from '../processes/process-reaper.js';
import type { IgnoreChangesRule } from '../program-host/ignore-changes.js';
import { hostPluginDir } from '../program-host/plugin-dir.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { HeldLock } from '../state-lock/stack-lock.js';
import { namedCheckpointError } from './checkpoint-error.js';
import { classifyFailure, inFlightCreates } from './classify-failure.js';
import { tagDeployedCommit } from './deployed-tag.js';
import type { PlanRequest, RunRequest } from './engine.js';
import { DEFAULT_OPERATION_TIMEOUT_MS } from './engine-options.js';
import { EventCollector } from './event-collector.js';
import { hostDeathError } from './host-death.js';
import { analyzeLiveState } from './live-policy.js';
import { policyEvents, policyFailure, policyFailureText, policyStderrFile, violationLine } from './policy-failure.js';
import { PolicyCollector, policyOptions } from './policy-result.js';
import type { ProgressSink } from './progress.js';
import { type Operation, type StackResult, skippedResult } from './result.js';
import type { GroupPublisher } from './run-groups.js';
import { probeSecretDrift, type StateCopy } from './secret-drift.js';
import { hasSecretsAccess, NO_SECRETS_ACCESS } from './secrets-provider.js';
import type { StackGuards } from './stack-guards.js';
import type { StackWorkspaces } from './stack-workspaces.js';
import { type PreparedPlan, planRejection, planSalt, preparePlan } from './update-plan.js';
import { updateVersionOf } from './update-version.js';
import { startWarmHost, type WarmHost, warmHostPortFile } from './warm-host.js';

const refreshOps = new Set<Operation>(['refresh', 'refresh-preview']);
const destroyOps = new Set<Operation>(['destroy', 'destroy-preview']);
/** Operations that write state; a preview of remediation is the gate before one. */
const writingOps = new Set<Operation>(['up', 'refresh', 'destroy']);
const pendingGuardedOps = new Set<Operation>([...writingOps, 'remediate-preview']);

/**
 * One operation on one stack (preview, up, refresh, destroy and their previews): the guards
 * first, then the program host and the CLI through the Automation API, typed events to the
 * sink, and one result, failed with a classified error when anything goes wrong.
 */
export class StackOperations {
  constructor(
    private readonly ws: StackWorkspaces,
    private readonly guards: StackGuards,
  ) {}

  async run(request: RunRequest, sink: ProgressSink): Promise<StackResult> {
    const { stack: def, operation } = request;
    // A hung program (or provider) fails its own stack instead of holding the runner for ever.
    const limitMs = this.ws.options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(limitMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const timedOut = (): boolean => deadline.aborted && !request.signal?.aborted;
    const started = Date.now();
    // Values in the result are redacted as they are collected, before any report cuts them.
    const redact = (text: string): string => this.ws.options.redactor?.redact(text) ?? text;
    const events = new EventCollector(def.name, sink, refreshOps.has(operation), Date.now, redact);
    const policy = request.policy && request.policy.packs.length > 0 ? new PolicyCollector(request.policy, redact) : undefined;
    if (policy) await rm(policyStderrFile(this.ws.workDir(def)), { force: true });
    // A preview leaves alone a stack whose secrets this job holds no key to (a protected stack in a merge-request job).
    if (operation.endsWith('preview') && !hasSecretsAccess(def, this.ws.options.env)) {
      const skipped = skippedResult(def.name, operation, NO_SECRETS_ACCESS, true);
      sink({ type: 'stack-done', stack: def.name, result: skipped });
      return skipped;
    }
    sink({ type: 'stack-start', stack: def.name, operation });
    let outputs: Record<string, unknown> | undefined;
    let updateVersion: number | undefined;
    let result: StackResult;
    let watch: { stop(): void } | undefined;
    let held: HeldLock | undefined;
    let warm: WarmHost | undefined;
    let publisher: GroupPublisher | undefined;
    try {
      await this.guards.reap(def, sink);
      if (writingOps.has(operation)) {
        held = await this.guards.takeLock(def);
        await this.guards.clearAfterTakeover(def, held, sink);
        this.guards.checkLock(def);
        const earlier = await this.guards.reapEarlierRun(def, sink);
        publisher = earlier.publisher;
      }
      if (pendingGuardedOps.has(operation)) await this.guards.checkUnknown(def);
      // The program host starts now, with the stack's environment and confinement, and readies
      // the SDK while the CLI starts (see `startWarmHost`).
      if (programOps.has(operation)) warm = this.startWarmHost(def, request.ignoreChanges, sink);
      // Destroy does not run the program; a deleted stack's program may be gone too.
      const stack = await this.ws.open(def, !destroyOps.has(operation), { ignoreChanges: request.ignoreChanges, portFile: warm?.portFile });
      if (pendingGuardedOps.has(operation)) await this.guards.checkPending(def, stack, held !== undefined, sink);
      const plan = request.plan && (await this.preparePlan(def, stack, operation, request.plan));
      const planFile = plan?.file ? { plan: plan.file } : {};
      watch = watchProcesses(this.ws.workDir(def), publisher?.onGroups);
      const onEvent = policy ? policyEvents(def.name, policy, events.handle, sink) : events.handle;
      const common = { onEvent, signal, color: 'never' as const };
      const packs = policyOptions(request.policy);
      switch (operation) {
        case 'preview':
          await stack.preview({ ...common, diff: false, ...planFile, ...scope(request), ...packs });
          break;
        case 'up':
          {
            const up = await stack.up({ ...common, message: request.message, ...planFile, ...scope(request), ...packs });
            for (const o of Object.values(up.outputs)) if (o.secret) this.ws.learnSecret(o.value);
            outputs = renderOutputs(up.outputs);
            updateVersion = await updateVersionOf(stack, up.summary.version);
            // Only after the update succeeded: a failed up must leave the record of what runs alone.
            if (request.commit) await tagDeployedCommit(def, stack, request.commit, sink);
          }
          break;
        case 'remediate-preview':
          await stack.preview({ ...common, refresh: true, diff: false, ...planFile, ...packs });
          break;
        case 'refresh-preview':
          await stack.previewRefresh(common);
          if (events.secretSuspects.size > 0) await this.findSecretDrift(def, stack, events, signal);
          if (policy) {
            await analyzeLiveState(this.stateCopy(def, stack, signal), request.policy!, policy, hostPluginDir());
            for (const v of policy.violations)
              sink({ type: 'diagnostic', stack: def.name, severity: 'warning', message: `live: ${violationLine(v)}` });
          }
          break;
        case 'refresh':
          // Never `clearPendingCreates`: it forgets resources that may exist (checkPending stops before that).
          await stack.refresh({ ...common, message: request.message });
          break;
        case 'destroy':
          updateVersion = await updateVersionOf(stack, (await stack.destroy({ ...common, message: request.message })).summary.version);
          // Nothing of any commit runs any more.
          await tagDeployedCommit(def, stack, undefined, sink);
          break;
        case 'destroy-preview':
          await stack.destroy({ ...common, previewOnly: true });
          break;
      }
      result = {
        name: def.name,
        operation,
        status: 'succeeded',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        outputs,
        ...(updateVersion !== undefined ? { updateVersion } : {}),
        ...(operation === 'preview' ? { outputChanges: events.outputChangeList() } : {}),
        ...(plan?.state ? { planned: { file: plan.file, encryptionSalt: await planSalt(stack), state: plan.state } } : {}),
        ...(policy ? { policy: policy.outcome() } : {}),
      };
    } catch (err) {
      let error =
        err instanceof GitopsError
          ? err
          : (timedOut() && (await this.timedOutError(def, limitMs, err))) ||
            (!signal.aborted && warm && hostDeathError(def.name, warm.exited(), err)) ||
            (request.plan && planRejection(def.name, failureText(err, events), err)) ||
            (policy &&
              policyFailure(
                def.name,
                request.policy!,
                policy,
                redact(await policyFailureText(this.ws.workDir(def), failureText(err, events))),
                err,
              )) ||
            classifyFailure(def, this.ws.workDir(def), err, events, signal.aborted, this.ws.onFileBackend);
      error = namedCheckpointError(def.name, error, this.ws.stateWhere(def));
      if (error.code === 'CANCELLED' && writingOps.has(operation)) error = await this.guards.cancelled(def, error);
      const unknown = err instanceof GitopsError || error.code !== 'PROVIDER_ERROR' ? undefined : inFlightCreates(err, events);
      // Still under our lock: the record is written before any other run can start on the stack.
      if (unknown && unknown.length > 0) error = await this.guards.recordUnknown(def, unknown, error);
      result = {
        name: def.name,
        operation,
        status: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        error: { code: error.code, message: errorText(error) },
        ...(policy ? { policy: policy.outcome() } : {}),
      };
    } finally {
      warm?.stop();
      watch?.stop();
      await publisher?.finish();
      if (held) await this.guards.releaseLock(def, held, sink);
    }
    sink({ type: 'stack-done', stack: def.name, result });
    return result;
  }

  /** Starts the operation's program host ahead of the CLI (see `startWarmHost`). */
  private startWarmHost(def: StackDefinition, ignoreChanges: IgnoreChangesRule[] | undefined, sink: ProgressSink): WarmHost {
    const workDir = this.ws.workDir(def);
    const portFile = warmHostPortFile(workDir);
    const env = this.ws.envVars(def, this.ws.options.backendUrl, { ignoreChanges, portFile, forHost: true });
    return startWarmHost({ stack: def.name, workDir, portFile, env, sink });
  }

  /** A stack stopped at its time limit: what it left running is killed, and the error says what happened. */
  private async timedOutError(def: StackDefinition, limitMs: number, cause: unknown): Promise<GitopsError> {
    const killed = await reapLeftovers(this.ws.workDir(def), true);
    return new GitopsError({
      code: 'TIMED_OUT',
      kind: 'external',
      message: `stack ${def.name}: stopped after ${limitMs >= 60_000 ? `${Math.round(limitMs / 60_000)} minutes` : `${Math.round(limitMs / 1000)} s`}, its time limit${killed.length > 0 ? ` (killed ${killed.length} processes it left running)` : ''}`,
      hint: 'look for a program or provider that hangs; GITOPS_OPERATION_TIMEOUT (minutes) sets the limit',
      cause,
    });
  }

  /** Readies a plan-bound operation (see `preparePlan`). */
  private preparePlan(def: StackDefinition, stack: Stack, operation: Operation, plan: PlanRequest): Promise<PreparedPlan> {
    const where = {
      stateFile: this.ws.stateFile(def),
      defaultFile: path.join(this.ws.workDir(def), `${operation}.plan.json`),
      pinnedSalt: def.encryptionSalt,
    };
    return preparePlan(def.name, stack, operation, plan, where);
  }

  /** How to make a throwaway copy of the stack's state (see `withRefreshedCopy`). */
  private stateCopy(def: StackDefinition, stack: Stack, signal?: AbortSignal): StateCopy {
    return {
      stack,
      command: this.ws.command,
      env: this.ws.envVars(def),
      parentDir: path.join(this.ws.options.layout.workDir, 'workspaces'),
      openCopy: (backendUrl, workDir) => this.ws.openOn(def, undefined, backendUrl, workDir),
      signal,
    };
  }

  /** Adds drift in secret properties, which the events mask, by comparing decrypted values in memory. */
  private async findSecretDrift(def: StackDefinition, stack: Stack, events: EventCollector, signal?: AbortSignal): Promise<void> {
    const changes = await probeSecretDrift({ ...this.stateCopy(def, stack, signal), urns: events.secretSuspects });
    for (const c of changes) this.ws.learnSecret(c.plaintexts);
    events.addSecretChanges(changes);
  }
}

const programOps = new Set<Operation>(['preview', 'up', 'remediate-preview']);

/** `--target` and `--refresh` of a preview or up, as the Automation API takes them. */
function scope(request: RunRequest): { target?: string[]; refresh?: boolean } {
  return {
    ...(request.targets && request.targets.length > 0 ? { target: [...request.targets] } : {}),
    ...(request.refresh ? { refresh: true } : {}),
  };
}

/** A failure's text and the engine's diagnostics, where a plan rejection shows. */
function failureText(err: unknown, events: EventCollector): string {
  return [err instanceof Error ? err.message : String(err), ...events.errors.map((e) => e.message)].join('\n');
}

/** An error as one result message: what, the lines of detail, and the hint. */
function errorText(error: GitopsError): string {
  const lines = [error.message, ...error.details.map((d) => `  ${d}`)];
  return error.hint ? `${lines.join('\n')}\n  (${error.hint})` : lines.join('\n');
}

function renderOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? '[secret]' : v.value]));
}
