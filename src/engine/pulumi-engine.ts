import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Stack, StackNotFoundError } from '@pulumi/pulumi/automation/index.js';
import { commitOfTag, deployedCommitTag, lastDeployedCommitOf } from '../backend-state/deployed-commit.js';
import type { RecordNeeds, RecordRead } from '../backend-state/read-records.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';
import type { LockHolder } from '../state-lock/lock-holder.js';
import { namedCheckpointError } from './checkpoint-error.js';
import { classifyFailure } from './classify-failure.js';
import { DeployRecords } from './deploy-records.js';
import type { Engine, RunRequest, StackOutput } from './engine.js';
import type { PulumiEngineOptions } from './engine-options.js';
import { EventCollector } from './event-collector.js';
import type { ProgressSink } from './progress.js';
import { type RecoverOutcome, type RecoverRequest, recoverStack } from './recover-state.js';
import type { StackResult } from './result.js';
import { providersElsewhereError } from './run-groups.js';
import { StackGuards } from './stack-guards.js';
import { StackOperations } from './stack-operations.js';
import { StackWorkspaces } from './stack-workspaces.js';
import { readUnknownCreates, settleUnknownCreates } from './unknown-outcome-store.js';
import { unlockStack } from './unlock-stack.js';

export { DEFAULT_OPERATION_TIMEOUT_MS, type PulumiEngineOptions } from './engine-options.js';

/**
 * The Engine over the Pulumi Automation API: one local workspace per stack, the program in a
 * process of its own. Its parts: the workspaces (`StackWorkspaces`), the guards against damage
 * (`StackGuards`), the operations (`StackOperations`), `gitops unlock` (`unlockStack`) and
 * `gitops recover` (`recoverStack`).
 */
export class PulumiEngine implements Engine {
  private readonly ws: StackWorkspaces;
  private readonly guards: StackGuards;
  private readonly operations: StackOperations;
  /** Deploy records: read from the backend's objects where it can be, else through the CLI. */
  private readonly records: DeployRecords;

  constructor(options: PulumiEngineOptions) {
    this.ws = new StackWorkspaces(options);
    this.guards = new StackGuards(this.ws);
    this.operations = new StackOperations(this.ws, this.guards);
    this.records = new DeployRecords(
      options.backendUrl,
      (def) => this.lastDeployedCommitViaCli(def),
      options.recordsViaCli,
      options.writesRecordsIndex,
    );
  }

  run(request: RunRequest, sink: ProgressSink): Promise<StackResult> {
    return this.operations.run(request, sink);
  }

  unlock(def: StackDefinition, options: { force?: boolean } = {}): Promise<LockHolder[]> {
    return unlockStack(this.ws, this.guards, def, options);
  }

  async recover(request: RecoverRequest, sink: ProgressSink): Promise<RecoverOutcome> {
    const def = request.stack;
    await this.guards.reap(def, sink);
    const held = await this.guards.takeLock(def);
    const events = new EventCollector(def.name, sink, true);
    try {
      await this.guards.clearAfterTakeover(def, held, sink);
      this.guards.checkLock(def);
      const { elsewhere } = await this.guards.reapEarlierRun(def, sink);
      if (elsewhere && request.forgets.length > 0) throw providersElsewhereError(def.name, elsewhere);
      const stack = await this.ws.open(def, false);
      const unknownStore = await this.guards.unknownStore();
      return await recoverStack(request, {
        unknown: unknownStore ? await readUnknownCreates(unknownStore, def) : [],
        settleUnknown: async (urns) => {
          if (unknownStore) await settleUnknownCreates(unknownStore, def, urns);
        },
        cli: (args) => this.ws.cli(def, args, request.signal),
        scratchFile: path.join(this.ws.workDir(def), 'recover-state.json'),
        refresh: async (target) => {
          await stack.refresh({ target, message: 'gitops recover', onEvent: events.handle, signal: request.signal, color: 'never' });
        },
      });
    } catch (err) {
      throw err instanceof GitopsError
        ? err
        : namedCheckpointError(
            def.name,
            classifyFailure(def, this.ws.workDir(def), err, events, request.signal?.aborted ?? false, this.ws.onFileBackend),
            this.ws.stateWhere(def),
          );
    } finally {
      if (held) await this.guards.releaseLock(def, held, sink);
    }
  }

  deployRecords(stacks: readonly StackDefinition[], needs?: RecordNeeds): Promise<Map<string, RecordRead>> {
    return this.records.read(stacks, needs);
  }

  lastDeployedCommit(def: StackDefinition): Promise<string | undefined> {
    return this.records.commitOf(def);
  }

  /** The CLI path: the stack's tags, else its history, through Pulumi (backends not read directly). */
  async lastDeployedCommitViaCli(def: StackDefinition): Promise<string | undefined> {
    // Opening would create a stack that does not exist; a file backend tells without the CLI.
    const stateFile = this.ws.stateFile(def);
    if (stateFile && !existsSync(stateFile)) return undefined;
    try {
      // Tags and update messages are plain text: no passphrase is needed to read them. Reading never creates the stack.
      let stack: Stack;
      try {
        stack = await this.ws.open(def, false, { secrets: false, existing: true });
      } catch (err) {
        if (err instanceof StackNotFoundError) return undefined;
        throw err;
      }
      const tagged = commitOfTag((await stack.listTags())[deployedCommitTag]);
      if (tagged) return tagged;
      // Stacks deployed before the tag existed: newest first; only the messages are needed, so secrets stay encrypted.
      const updates = await stack.history(100, 1, false);
      return lastDeployedCommitOf(updates);
    } catch (err) {
      // The backend refused or failed (credentials, network): one clear error naming the stack, not the CLI's dump.
      if (err instanceof GitopsError) throw err;
      throw classifyFailure(
        def,
        this.ws.workDir(def),
        err,
        new EventCollector(def.name, () => undefined, false),
        false,
        this.ws.onFileBackend,
      );
    }
  }

  async outputs(def: StackDefinition): Promise<Record<string, StackOutput> | undefined> {
    // Opening would create a stack that does not exist; a file backend tells without the CLI.
    const stateFile = this.ws.stateFile(def);
    if (stateFile && !existsSync(stateFile)) return undefined;
    const stack = await this.ws.open(def, false);
    const outputs = await stack.outputs();
    for (const o of Object.values(outputs)) if (o.secret) this.ws.learnSecret(o.value);
    return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.value, secret: o.secret }]));
  }
}
