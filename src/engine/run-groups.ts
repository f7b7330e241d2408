import os from 'node:os';
import { GitopsError } from '../errors/gitops-error.js';
import { killGroups, type ProcessGroupRef } from '../processes/process-groups.js';
import { ownGroup } from '../processes/process-reaper.js';
import { type ProcessInfo, readProcess } from '../processes/process-table.js';
import type { LockStore } from '../state-lock/lock-store.js';
import { clearGroups, publishGroups, type RunProcesses, readEarlierRun } from '../state-lock/run-processes.js';
import type { LockedStack } from '../state-lock/stack-lock.js';

/**
 * The process groups of a run, kept beside the stack lock on the backend while the run holds
 * it (see src/state-lock/run-processes.ts): published as the watch finds them, reaped by the
 * next holder of the lock from any checkout on this host.
 */
export interface GroupPublisher {
  onGroups(groups: ProcessGroupRef[]): void;
  /** Waits for the writes, then removes the record: the run is over. */
  finish(): Promise<void>;
}

export function groupPublisher(store: LockStore, s: LockedStack): GroupPublisher {
  const self = readProcess(process.pid, { command: false });
  let writes: Promise<void> = Promise.resolve();
  return {
    onGroups: (groups) => {
      if (!self) return;
      const record: RunProcesses = {
        version: 1,
        host: os.hostname(),
        runner: { pid: self.pid, start: self.start },
        groups,
        updatedAt: new Date().toISOString(),
      };
      // Failures are not fatal: the checkout's own record (processes.json) still names them.
      writes = writes.then(() => publishGroups(store, s, record).catch(() => undefined));
    },
    finish: async () => {
      await writes;
      await clearGroups(store, s).catch(() => undefined);
    },
  };
}

/** What an earlier, dead run of the stack left running, as its record on the backend says. */
export interface EarlierRunOutcome {
  /** Processes of its groups killed here. */
  killed: ProcessInfo[];
  /** Its record, when it ran on another host: its groups may still run there. */
  elsewhere?: RunProcesses;
}

/**
 * Kills the groups a dead run on this host left (whatever checkout it ran in) and removes its
 * record; reports one from another host, which nothing here can check. Call it holding the lock.
 */
export async function reapEarlierRun(store: LockStore, s: LockedStack): Promise<EarlierRunOutcome> {
  const earlier = await readEarlierRun(store, s);
  if (earlier.kind === 'elsewhere') return { killed: [], elsewhere: earlier.record };
  if (earlier.kind !== 'dead-here') return { killed: [] };
  const killed = await killGroups(earlier.record.groups, ownGroup());
  await store.remove(s.project, s.stack, earlier.tag);
  return { killed };
}

/**
 * `recover --forget` refused while a killed run's provider processes may still run on another
 * host: a create they have in flight could still finish, and the forgotten resource would then
 * exist untracked.
 */
export function providersElsewhereError(stack: string, run: RunProcesses): GitopsError {
  const groups = run.groups.map((g) => g.pgid).join(', ') || 'none recorded yet';
  return new GitopsError({
    code: 'STACK_LOCKED',
    kind: 'external',
    message:
      `stack ${stack}: a killed run on host ${run.host} (pid ${run.runner.pid}, recorded ${run.updatedAt}) may still have provider ` +
      `processes running there (process groups ${groups}); nothing is forgotten while one could still finish a create`,
    hint:
      `run any gitops command on this stack on ${run.host} (it stops them), then recover; ` +
      `if that host is gone for good, \`gitops unlock --stack ${stack} --force\` clears the record`,
  });
}
