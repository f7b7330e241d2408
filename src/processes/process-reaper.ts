import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupsOf, killGroups, type ProcessGroupRef } from './process-groups.js';
import { descendants, isSameProcess, listProcesses, processCwd, readProcess } from './process-table.js';

/**
 * Processes left behind by killed runs, and how they are found again.
 *
 * Pulumi starts each plugin in a process group of its own, so killing a run's process group
 * (a cancelled CI job, `kill -9 -PGID`) leaves `pulumi-resource-pulumi-nodejs` and its node
 * child running, for ever: they wait on a connection nobody will close, and may still finish
 * the create they were in. While a stack runs, a watch records the processes under its Pulumi
 * CLI (found through /proc: children of this process whose working directory is the stack's
 * workspace, and their descendants) in `<workspace>/processes.json`. The next run of the
 * stack, or `gitops unlock`, reaps the recorded processes whose run is dead.
 *
 * The record also names the process groups of those processes (the CLI's, and each plugin's):
 * a child started less than {@link pollMs} before a kill is not recorded itself, but it is in
 * its parent's group, and reaping kills each group whole. Only Linux has /proc (elsewhere
 * nothing is recorded or reaped).
 */
export const pollMs = 500;

/** A process, named by pid and start time (a pid alone may have been reused). */
export interface ProcessRef {
  pid: number;
  start: number;
  command: string;
}

/** A short name for a process: its program (past a shell, node, and the confinement of program code), with its folder. */
export function programName(command: string): string {
  const tokens = command.split(' ');
  const program = tokens.find((t) => !t.startsWith('-') && !/(^|\/)(sh|bash|node|unshare|gitops-confine)$/.test(t)) ?? tokens[0] ?? '';
  return program.split('/').slice(-2).join('/');
}

/** What a run leaves in its workspace while it runs. */
export interface RunRecord {
  /** The gitops process that ran the stack. */
  runner: ProcessRef;
  /** The Pulumi CLI and the plugins under it, with their children. */
  processes: ProcessRef[];
  /** Their process groups (absent in records of older versions). */
  groups?: ProcessGroupRef[];
}

/** This process's own group: never reaped (it is the job's). */
export const ownGroup = (): number => readProcess(process.pid, { command: false })?.pgid ?? -1;

const recordFile = (workDir: string): string => path.join(workDir, 'processes.json');

/** The record a run left in the workspace, if any. */
export function readRunRecord(workDir: string): RunRecord | undefined {
  const file = recordFile(workDir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    // A record torn by a kill mid-write names nothing we could safely signal.
    return undefined;
  }
}

function writeRecord(workDir: string, record: RunRecord): void {
  const file = recordFile(workDir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Records the processes of one run of a stack until `stop()`, which removes the record (a
 * finished run leaves nothing to reap). Without /proc it records nothing.
 */
export function watchProcesses(workDir: string, onGroups?: (groups: ProcessGroupRef[]) => void): { stop(): void } {
  const self = readProcess(process.pid);
  if (!self) return { stop: () => undefined };
  const record: RunRecord = { runner: { pid: self.pid, start: self.start, command: self.command }, processes: [], groups: [] };
  const seen = new Set<string>();
  const members: { pid: number; pgid: number; start: number }[] = [];
  const poll = (): void => {
    const table = listProcesses();
    const clis = table.filter((p) => p.ppid === process.pid && processCwd(p.pid) === workDir);
    let changed = false;
    for (const p of clis.flatMap((cli) => [cli, ...descendants(table, cli.pid)])) {
      const key = `${p.pid}:${p.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      record.processes.push({ pid: p.pid, start: p.start, command: readProcess(p.pid)?.command ?? '' });
      members.push(p);
      changed = true;
    }
    if (!changed) return;
    const before = record.groups?.length ?? 0;
    record.groups = groupsOf(members, self.pgid);
    writeRecord(workDir, record);
    if (record.groups.length !== before) onGroups?.(record.groups);
  };
  writeRecord(workDir, record);
  const timer = setInterval(poll, pollMs);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      rmSync(recordFile(workDir), { force: true });
    },
  };
}

/**
 * Kills what a dead run left running in this workspace (SIGKILL: nobody will collect the
 * result of their work) and waits until they are gone. Returns what was killed. A record
 * whose runner still runs belongs to a live run and is left alone.
 */
export async function reapLeftovers(
  workDir: string,
  /** Also when this process is the runner: its own run that was stopped (timed out) but left processes behind. */
  ownRun = false,
): Promise<ProcessRef[]> {
  const record = readRunRecord(workDir);
  if (!record) return [];
  if (!(ownRun && record.runner.pid === process.pid) && isSameProcess(record.runner.pid, record.runner.start)) return [];
  const alive = record.processes.filter((p) => isSameProcess(p.pid, p.start));
  for (const p of alive) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // It exited between the check and the signal.
    }
  }
  // Whole groups too: a child started after the last poll is in its parent's group.
  const late = await killGroups(record.groups ?? [], ownGroup());
  for (const p of late)
    if (!alive.some((a) => a.pid === p.pid && a.start === p.start)) alive.push({ pid: p.pid, start: p.start, command: '' });
  for (let i = 0; i < 40 && alive.some((p) => isSameProcess(p.pid, p.start)); i++) await sleep(50);
  // The record stays until the next run's watch replaces it: it names the command of the dead run's lock.
  return alive;
}
