import type { RecordRead } from '../../src/backend-state/read-records.js';
import type { Engine, PlanRequest, RunRequest, StackOutput } from '../../src/engine/engine.js';
import type { ProgressSink } from '../../src/engine/progress.js';
import type { RecoverOutcome, RecoverRequest } from '../../src/engine/recover-state.js';
import type { Operation, StackResult } from '../../src/engine/result.js';
import type { StackDefinition } from '../../src/stacks/schema.js';
import type { LockHolder } from '../../src/state-lock/lock-holder.js';

/** What a scripted operation returns: a partial result, or a function of the request (may wait, may throw). */
export type Script = Partial<StackResult> | ((request: RunRequest) => Partial<StackResult> | Promise<Partial<StackResult>>);

/** One call the driver made. */
export interface EngineCall {
  stack: string;
  operation: Operation;
  message?: string;
  /** The plan binding the call carried (see `RunRequest.plan`). */
  plan?: PlanRequest;
  /** The commit an up was asked to record as deployed (see `RunRequest.commit`). */
  commit?: string;
}

/**
 * An Engine for in-process tests of the driver's decisions (guards, approvals, scheduling):
 * scripted results per stack and operation, every call recorded. It proves nothing about
 * Pulumi itself; the end-to-end tests on the real engine do that.
 */
export class FakeEngine implements Engine {
  readonly calls: EngineCall[] = [];
  readonly unlocked: string[] = [];
  /** The stacks each `open` of the engine was for (set by the test context). */
  readonly opened: string[][] = [];
  /** Per stack: the commit its last gitops deploy recorded (see `Engine.lastDeployedCommit`); absent means none. */
  readonly lastDeployed = new Map<string, string | undefined>();
  /** The stacks whose history was read (lastDeployedCommit), in order. */
  readonly historyReads: string[] = [];
  /** Per stack: its outputs (see `Engine.outputs`); absent means no state. */
  readonly stackOutputs = new Map<string, Record<string, StackOutput>>();
  private readonly scripts = new Map<string, Script>();
  /** The state version every plan made by this engine records. */
  static readonly state = { update: 0, lastUpdate: 'update 2026-11-27T12:00:00.000Z', digest: '0'.repeat(64) };

  /** Scripts what `operation` on `stack` returns; unscripted operations succeed with no changes. */
  script(stack: string, operation: Operation, result: Script): this {
    this.scripts.set(`${stack}\0${operation}`, result);
    return this;
  }

  /** The calls as `stack:operation` strings, in order. */
  get log(): string[] {
    return this.calls.map((c) => `${c.stack}:${c.operation}`);
  }

  async run(request: RunRequest, sink: ProgressSink): Promise<StackResult> {
    const { stack, operation, message } = request;
    this.calls.push({
      stack: stack.name,
      operation,
      ...(message ? { message } : {}),
      ...(request.plan ? { plan: request.plan } : {}),
      ...(request.commit ? { commit: request.commit } : {}),
    });
    sink({ type: 'stack-start', stack: stack.name, operation });
    const script = this.scripts.get(`${stack.name}\0${operation}`) ?? {};
    const partial = typeof script === 'function' ? await script(request) : script;
    const result: StackResult = { name: stack.name, operation, status: 'succeeded', changes: {}, resources: [], durationMs: 1, ...partial };
    // A preview asked for a plan saves one, as the real engine does, unless the script says otherwise.
    if (request.plan && operation.endsWith('preview') && result.status === 'succeeded' && !('planned' in partial))
      result.planned = {
        ...(operation === 'destroy-preview' ? {} : { file: `plans/${stack.name}.${operation}.json` }),
        state: FakeEngine.state,
      };
    // Like the stack tag: a successful up records its commit, a successful destroy clears it.
    if (result.status === 'succeeded' && operation === 'up' && request.commit) this.lastDeployed.set(stack.name, request.commit);
    if (result.status === 'succeeded' && operation === 'destroy') this.lastDeployed.delete(stack.name);
    sink({ type: 'stack-done', stack: stack.name, result });
    return result;
  }

  /** Per stack: a record read as the direct backend reader gives it (overrides `lastDeployed`). */
  readonly records = new Map<string, RecordRead>();

  async deployRecords(stacks: readonly StackDefinition[]): Promise<Map<string, RecordRead>> {
    const out = new Map<string, RecordRead>();
    for (const s of stacks) {
      const given = this.records.get(s.name);
      if (given) out.set(s.name, given);
      else {
        const deployedCommit = await this.lastDeployedCommit(s);
        out.set(s.name, { ok: true, ...(deployedCommit ? { deployedCommit } : {}) });
      }
    }
    return out;
  }

  async lastDeployedCommit(stack: StackDefinition): Promise<string | undefined> {
    this.historyReads.push(stack.name);
    return this.lastDeployed.get(stack.name);
  }

  async outputs(stack: StackDefinition): Promise<Record<string, StackOutput> | undefined> {
    return this.stackOutputs.get(stack.name);
  }

  async unlock(stack: StackDefinition): Promise<LockHolder[]> {
    this.unlocked.push(stack.name);
    return [];
  }

  /** Recovery is state surgery: only the real engine can show it works (test/faults). */
  async recover(request: RecoverRequest): Promise<RecoverOutcome> {
    return { name: request.stack.name, pending: [], imported: [], forgotten: [] };
  }
}
