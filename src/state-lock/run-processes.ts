import os from 'node:os';
import type { ProcessGroupRef } from '../processes/process-groups.js';
import { isSameProcess } from '../processes/process-table.js';
import type { LockStore } from './lock-store.js';
import type { LockedStack } from './stack-lock.js';

/**
 * The process groups of the run that holds a stack's lock, kept beside the lock on the state
 * backend (`.gitops/processes/<project>/<stack>.json`), not only in the checkout: after a
 * SIGKILL, Pulumi's provider plugins keep running in their own groups and may still finish a
 * create. A runner in another checkout (a CI build folder per job) on the same host reads this
 * record and kills those groups before it takes the stack over; a runner on another host learns
 * that they may still run there, and `recover` will not forget a pending create meanwhile.
 */
export interface RunProcesses {
  version: 1;
  host: string;
  /** The gitops process of the run, by pid and start time. */
  runner: { pid: number; start: number };
  groups: ProcessGroupRef[];
  /** When the record was last written (ISO 8601). */
  updatedAt: string;
}

export function parseRunProcesses(text: string): RunProcesses | undefined {
  try {
    const r = JSON.parse(text) as Partial<RunProcesses> | null;
    if (typeof r?.host !== 'string' || !Array.isArray(r.groups) || typeof r.runner?.pid !== 'number') return undefined;
    return r as RunProcesses;
  } catch {
    return undefined;
  }
}

/** Writes the record of this run's groups (over any earlier one: the writer holds the stack lock). */
export async function publishGroups(store: LockStore, s: LockedStack, record: RunProcesses): Promise<void> {
  const text = `${JSON.stringify(record)}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = await store.read(s.project, s.stack);
    const tag = found ? await store.replace(s.project, s.stack, text, found.tag) : await store.create(s.project, s.stack, text);
    if (tag !== undefined) return;
  }
}

/** Removes the record (a run that ended has no groups left). */
export async function clearGroups(store: LockStore, s: LockedStack): Promise<void> {
  const found = await store.read(s.project, s.stack);
  if (found) await store.remove(s.project, s.stack, found.tag);
}

/** What the record of an earlier run says now. */
export type EarlierRun =
  | { kind: 'none' }
  /** Its runner still runs on this host: not ours to touch. */
  | { kind: 'alive'; record: RunProcesses }
  /** Dead, on this host: its groups can be killed here. */
  | { kind: 'dead-here'; record: RunProcesses; tag: string }
  /** On another host: nothing here can check or stop its groups. */
  | { kind: 'elsewhere'; record: RunProcesses };

export async function readEarlierRun(store: LockStore, s: LockedStack, hostname = os.hostname()): Promise<EarlierRun> {
  const found = await store.read(s.project, s.stack);
  const record = found && parseRunProcesses(found.text);
  if (!found || !record) return { kind: 'none' };
  if (record.host !== hostname) return { kind: 'elsewhere', record };
  if (record.runner.pid === process.pid || isSameProcess(record.runner.pid, record.runner.start)) return { kind: 'alive', record };
  return { kind: 'dead-here', record, tag: found.tag };
}
