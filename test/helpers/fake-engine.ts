import type { Engine, RunRequest } from '../../src/engine/engine.js';
import type { LockHolder } from '../../src/engine/lock-holder.js';
import type { ProgressSink } from '../../src/engine/progress.js';
import type { RecoverOutcome, RecoverRequest } from '../../src/engine/recover-state.js';
import type { Operation, StackResult } from '../../src/engine/result.js';
import type { StackDefinition } from '../../src/stacks/schema.js';

/** What a scripted operation returns: a partial result, or a function of the request (may wait, may throw). */
export type Script = Partial<StackResult> | ((request: RunRequest) => Partial<StackResult> | Promise<Partial<StackResult>>);

/** One call the driver made. */
export interface EngineCall {
  stack: string;
  operation: Operation;
  message?: string;
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
  private readonly scripts = new Map<string, Script>();

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
    this.calls.push({ stack: stack.name, operation, ...(message ? { message } : {}) });
    sink({ type: 'stack-start', stack: stack.name, operation });
    const script = this.scripts.get(`${stack.name}\0${operation}`) ?? {};
    const partial = typeof script === 'function' ? await script(request) : script;
    const result: StackResult = { name: stack.name, operation, status: 'succeeded', changes: {}, resources: [], durationMs: 1, ...partial };
    sink({ type: 'stack-done', stack: stack.name, result });
    return result;
  }

  async lastDeployedCommit(stack: StackDefinition): Promise<string | undefined> {
    this.historyReads.push(stack.name);
    return this.lastDeployed.get(stack.name);
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
