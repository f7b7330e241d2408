import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, listProcesses, type ProcessInfo, readProcess } from './process-table.js';

/**
 * A process group a run started: Pulumi starts the CLI (here) and each plugin (itself) in a
 * group of its own, which every child of theirs shares. Killing the group reaches a child
 * started after the last look at the process table, which killing recorded pids would miss.
 */
export interface ProcessGroupRef {
  pgid: number;
  /** The start time of the group's leader (the process whose pid is the pgid), when it was seen: tells a reused pgid. */
  leaderStart?: number;
}

/** The groups of `processes`, once each, never this process's own group (killing it would kill the job). */
export function groupsOf(processes: readonly Pick<ProcessInfo, 'pid' | 'pgid' | 'start'>[], ownGroup: number): ProcessGroupRef[] {
  const groups = new Map<number, ProcessGroupRef>();
  for (const p of processes) {
    if (!(p.pgid > 1) || p.pgid === ownGroup || groups.has(p.pgid)) continue;
    const leader = processes.find((q) => q.pid === p.pgid);
    groups.set(p.pgid, { pgid: p.pgid, ...(leader ? { leaderStart: leader.start } : {}) });
  }
  return [...groups.values()];
}

/**
 * The running members of a recorded group. None when the group's leader runs but is another
 * process than the one recorded (the pgid was reused after the group emptied).
 */
export function groupMembers(group: ProcessGroupRef, table: readonly ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const leader = readProcess(group.pgid, { command: false });
  if (isRunning(leader) && group.leaderStart !== undefined && leader.start !== group.leaderStart) return [];
  return table.filter((p) => p.pgid === group.pgid && isRunning(p));
}

/**
 * SIGKILLs every recorded group that still has members, and waits (up to 2 s) until they are
 * gone. Returns the processes that were running. `ownGroup` is never signalled.
 */
export async function killGroups(groups: readonly ProcessGroupRef[], ownGroup: number): Promise<ProcessInfo[]> {
  const table = listProcesses();
  const killed: ProcessInfo[] = [];
  for (const group of groups) {
    if (group.pgid === ownGroup || !(group.pgid > 1)) continue;
    const members = groupMembers(group, table);
    if (members.length === 0) continue;
    try {
      process.kill(-group.pgid, 'SIGKILL');
      killed.push(...members);
    } catch {
      // Gone between the look and the signal.
    }
  }
  for (let i = 0; i < 40 && killed.some((p) => isRunning(readProcess(p.pid, { command: false }))); i++) await sleep(50);
  return killed;
}
