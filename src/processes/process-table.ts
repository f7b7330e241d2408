import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * The processes of this host, read from Linux's /proc. Elsewhere every function answers
 * "unknown" (undefined, or an empty list), and callers fall back to what they can check.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The process group: Pulumi starts each plugin in a group of its own, which its children share. */
  pgid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process (pids are reused). */
  start: number;
  /** Z (zombie) and X (dead) processes are gone, whatever /proc still shows. */
  state: string;
  command: string;
}

/** Linux's USER_HZ, which /proc reports start times in; 100 on every mainstream architecture. */
const ticksPerSecond = 100;

/**
 * One process, or undefined when it does not exist (or /proc cannot be read). `command: false`
 * skips reading its command line (a scan of every process reads only what it filters on).
 */
export function readProcess(pid: number, options: { command?: boolean } = {}): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = options.command === false ? '' : readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), pgid: Number(fields[2]), start: Number(fields[19]), command };
  } catch {
    return undefined;
  }
}

/** True when the process is running (not a zombie). */
export function isRunning(p: ProcessInfo | undefined): p is ProcessInfo {
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

/** True when `pid` is still the process that started at `start` ticks, and it runs. */
export function isSameProcess(pid: number, start: number): boolean {
  const p = readProcess(pid);
  return isRunning(p) && p.start === start;
}

/** Every process (without command lines: see {@link readProcess}), or an empty list without /proc. */
export function listProcesses(): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (!/^\d+$/.test(e)) return [];
    const p = readProcess(Number(e), { command: false });
    return p ? [p] : [];
  });
}

/** The working directory of a process, when readable. */
export function processCwd(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/** Every descendant of `root` in `table` (children before grandchildren). */
export function descendants(table: readonly ProcessInfo[], root: number): ProcessInfo[] {
  const byParent = new Map<number, ProcessInfo[]>();
  for (const p of table) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * When the process started (epoch ms); undefined without /proc. Its age comes from one clock, the
 * time since boot (its start ticks against /proc/uptime), and is taken off the wall clock now.
 * The boot time /proc/stat gives is in whole seconds and moves whenever the wall clock is
 * corrected: from it, a process's start came out most of a second off, more after a correction,
 * and a running lock holder could look like one started after its lock (a reused pid): dead.
 */
export function startedAt(p: ProcessInfo): number | undefined {
  try {
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    return Number.isFinite(uptime) ? Date.now() - (uptime - p.start / ticksPerSecond) * 1000 : undefined;
  } catch {
    return undefined;
  }
}
