import os from 'node:os';
import path from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation/index.js';
import { fileBackendDir } from '../backend/backend-url.js';
import {
  type DeploymentState,
  describePending,
  pendingOperationsError,
  pendingOperationsOf,
  readCheckpoint,
  settlesItself,
} from '../backend-state/pending-operations.js';
import { GitopsError } from '../errors/gitops-error.js';
import { programName, reapLeftovers } from '../processes/process-reaper.js';
import { readProcess } from '../processes/process-table.js';
import type { StackDefinition } from '../stacks/schema.js';
import { describeHolder, lockedError, readLockFiles, removeLockFiles } from '../state-lock/lock-holder.js';
import type { LockStore } from '../state-lock/lock-store.js';
import { openLockStore } from '../state-lock/open-lock-store.js';
import type { RunProcesses } from '../state-lock/run-processes.js';
import { acquireStackLock, type HeldLock } from '../state-lock/stack-lock.js';
import { cancelledOutcome } from './cancel-outcome.js';
import type { ProgressSink } from './progress.js';
import { recoverStack } from './recover-state.js';
import { type GroupPublisher, groupPublisher, reapEarlierRun } from './run-groups.js';
import type { StackWorkspaces } from './stack-workspaces.js';
import { unknownCreatesOf, unknownOutcomeError, settleSteps as unknownSettleSteps } from './unknown-outcome.js';
import { readUnknownCreates, recordUnknownCreates } from './unknown-outcome-store.js';

/**
 * What stands between a stack and a run that could damage it: our lock beside the state (taken
 * over from a dead holder), the processes a killed run left, pending operations and creates of
 * unknown outcome. Each check stops the stack with an error that says how to settle it.
 */
export class StackGuards {
  constructor(private readonly ws: StackWorkspaces) {}

  private lockStore?: Promise<LockStore | undefined>;

  /** Our own lock store beside the state (file and S3 backends), opened once, on first use. */
  stateLocks(): Promise<LockStore | undefined> {
    this.lockStore ??= openLockStore(this.ws.options.backendUrl);
    return this.lockStore;
  }

  /**
   * Takes our own lock on the stack before Pulumi writes its state. Pulumi's lock on a blob store
   * (list, write, list again) can be raced: two runners that start together may both see the
   * other's lock file and both give up. Ours is one atomic create-if-absent, so exactly one wins.
   */
  async takeLock(def: StackDefinition): Promise<HeldLock | undefined> {
    const store = await this.stateLocks();
    const leaseMs = this.ws.options.lockLeaseMs === undefined ? {} : { leaseMs: this.ws.options.lockLeaseMs };
    return store && acquireStackLock(store, { name: def.name, project: def.project, stack: def.stack }, new Date(), leaseMs);
  }

  /**
   * Our lock was taken over from a dead run: Pulumi's own lock, left by that run's CLI (dead with
   * it), goes too, as `unlock` would remove it; no person needs to run `unlock`.
   */
  async clearAfterTakeover(def: StackDefinition, held: HeldLock | undefined, sink: ProgressSink): Promise<void> {
    if (!held?.tookOver) return;
    sink({ type: 'log', level: 'warning', message: `[${def.name}] took over the lock of a dead run: ${describeHolder(held.tookOver)}` });
    const dir = fileBackendDir(this.ws.options.backendUrl);
    if (dir) removeLockFiles(readLockFiles(dir, def.project, def.stack, this.ws.workDir(def)).filter((h) => h.state !== 'alive'));
    else await (await this.ws.open(def, false, { secrets: false })).cancel();
  }

  /**
   * Kills what an earlier dead run of the stack on this host left running, from any checkout
   * (its record beside the lock), and returns where this run records its own groups. A record
   * from another host is left in place (nothing here can check it): `recover` reads it.
   */
  async reapEarlierRun(def: StackDefinition, sink: ProgressSink): Promise<{ publisher?: GroupPublisher; elsewhere?: RunProcesses }> {
    const store = (await this.stateLocks())?.ofKind('processes');
    if (!store) return {};
    const ref = { name: def.name, project: def.project, stack: def.stack };
    const { killed, elsewhere } = await reapEarlierRun(store, ref);
    if (killed.length > 0) {
      const groups = [...new Set(killed.map((p) => p.pgid))].join(', ');
      sink({
        type: 'log',
        level: 'warning',
        message: `[${def.name}] stopped ${killed.length} processes (process groups ${groups}) a killed run left behind`,
      });
    }
    return elsewhere ? { elsewhere } : { publisher: groupPublisher(store, ref) };
  }

  /** Releases our lock after the run, whatever its outcome; a lock that cannot be released is reported, not hidden. */
  async releaseLock(def: StackDefinition, held: HeldLock, sink?: ProgressSink): Promise<void> {
    let outcome: string;
    try {
      outcome = await held.release();
    } catch (err) {
      outcome = (err as Error).message;
    }
    if (outcome === 'removed') return;
    const why = outcome === 'changed' || outcome === 'gone' ? `it was removed by someone else during the run (${outcome})` : outcome;
    sink?.({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] could not release the gitops lock at ${held.where}: ${why}; \`gitops unlock --stack ${def.name}\` clears a lock left behind`,
    });
  }

  /** A cancelled write, with what it left pending (read once the CLI has stopped). */
  async cancelled(def: StackDefinition, error: GitopsError): Promise<GitopsError> {
    try {
      const stateFile = this.ws.stateFile(def);
      const deployment = stateFile
        ? await readCheckpoint(stateFile)
        : (JSON.parse(await this.ws.cli(def, ['stack', 'export', '--stack', def.stack])) as { deployment?: DeploymentState }).deployment;
      return cancelledOutcome(def.name, error, pendingOperationsOf(deployment));
    } catch (err) {
      return cancelledOutcome(def.name, error, undefined, (err as Error).message.split('\n')[0]);
    }
  }

  /** Kills what a dead run of this stack left running, and says so. */
  async reap(def: StackDefinition, sink?: ProgressSink): Promise<void> {
    const reaped = await reapLeftovers(this.ws.workDir(def));
    if (reaped.length === 0) return;
    const list = reaped.map((p) => `${p.pid} ${programName(p.command)}`).join(', ');
    sink?.({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] stopped ${reaped.length} processes a killed run left behind: ${list}`,
    });
  }

  /** On a file backend, a lock is read before anything runs, so the error names its holder and whether it lives. */
  checkLock(def: StackDefinition): void {
    const dir = fileBackendDir(this.ws.options.backendUrl);
    const holders = dir ? readLockFiles(dir, def.project, def.stack, this.ws.workDir(def)) : [];
    if (holders.length > 0) throw lockedError(def.name, holders);
  }

  /** Stops the stack when a killed run left pending operations: running over them could duplicate or forget resources. */
  async checkPending(def: StackDefinition, stack: Stack, locked: boolean, sink: ProgressSink): Promise<void> {
    const stateFile = this.ws.stateFile(def);
    const deployment: DeploymentState | undefined = stateFile
      ? await readCheckpoint(stateFile)
      : ((await stack.exportStack()).deployment as DeploymentState);
    const pending = pendingOperationsOf(deployment);
    if (pending.length === 0) return;
    // Under our lock, what needs no decision is settled here, as `recover` would: no person is asked.
    if (!locked || !pending.every(settlesItself)) throw pendingOperationsError(def.name, pending);
    await recoverStack(
      { stack: def, imports: [], forgets: [] },
      {
        unknown: [],
        settleUnknown: async () => undefined,
        cli: (args) => this.ws.cli(def, args),
        scratchFile: path.join(this.ws.workDir(def), 'recover-state.json'),
        refresh: async () => undefined,
      },
    );
    sink({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] dropped ${pending.length} pending operation(s) that needed no decision: ${pending.map(describePending).join('; ')}`,
    });
  }

  /** The store of unknown-outcome records (beside our locks), or undefined on backends without one. */
  async unknownStore(): Promise<LockStore | undefined> {
    return (await this.stateLocks())?.ofKind('unknown');
  }

  /** Stops the stack while a run that lost its provider left creates of unknown outcome (see unknown-outcome.ts). */
  async checkUnknown(def: StackDefinition): Promise<void> {
    const store = await this.unknownStore();
    if (!store) return;
    const creates = await readUnknownCreates(store, def);
    if (creates.length > 0) throw unknownOutcomeError(def.name, creates, store.where(def.project, def.stack));
  }

  /**
   * Records the creates a dead provider had in flight, so no later run creates them again
   * unseen; the error then says where, and how to settle them. A record that cannot be written
   * is said in the error too: the hint then warns that the next deploy creates them again.
   */
  async recordUnknown(def: StackDefinition, urns: string[], error: GitopsError): Promise<GitopsError> {
    const store = await this.unknownStore();
    if (!store) return error;
    const creates = unknownCreatesOf(urns, {
      at: new Date().toISOString(),
      command: readProcess(process.pid)?.command ?? process.argv.join(' '),
      host: os.hostname(),
    });
    const where = store.where(def.project, def.stack);
    try {
      await recordUnknownCreates(store, def, creates);
    } catch (err) {
      return new GitopsError({
        code: error.code,
        kind: error.kind,
        message: error.message,
        details: [...error.details, `and they could not be recorded: ${(err as Error).message}`],
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error.cause,
      });
    }
    return new GitopsError({
      code: error.code,
      kind: error.kind,
      message: error.message,
      details: error.details,
      hint:
        `Pulumi keeps no pending operation for them, so gitops recorded them (${where}) and runs nothing on this stack until each is settled: ` +
        unknownSettleSteps(def.name),
      cause: error.cause,
    });
  }
}
