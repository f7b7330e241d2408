import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { readProcess } from '../processes/process-table.js';
import { describeLock, type LockHolder } from './lock-holder.js';

/**
 * What a gitops stack lock holds: who took it, where, which process, running what, since when,
 * and a run id that tells this run's lock from any other (a PID and a time can repeat).
 */
export interface StackLockRecord {
  version: 1;
  runId: string;
  project: string;
  stack: string;
  user: string;
  host: string;
  pid: number;
  /** The gitops command line that took the lock. */
  command: string;
  /** When the lock was taken (ISO 8601). */
  startedAt: string;
  /**
   * When the holder process started, in clock ticks since boot (Linux): with the pid it names
   * that one process whatever the wall clock does since. Absent in older records and off Linux.
   */
  pidStart?: number;
  /**
   * The lease: a live holder rewrites the record every third of `leaseMs`, so a record not
   * renewed for `leaseMs` belongs to a holder that is dead (or cut off). Absent in older records.
   */
  leaseMs?: number;
  /** When the holder last renewed the lease (ISO 8601). */
  renewedAt?: string;
}

/** How long a lease lasts unless renewed: long enough for a stalled store, short enough for a retried job. */
export const DEFAULT_LEASE_MS = 5 * 60_000;

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A container user with no entry in the user database.
    return 'unknown';
  }
}

/** The record this process writes into a stack lock it takes. */
export function newLockRecord(project: string, stack: string, now = new Date(), leaseMs = DEFAULT_LEASE_MS): StackLockRecord {
  const self = readProcess(process.pid);
  return {
    leaseMs,
    renewedAt: now.toISOString(),
    version: 1,
    runId: randomUUID(),
    project,
    stack,
    user: userName(),
    host: os.hostname(),
    pid: process.pid,
    command: self?.command ?? 'unknown',
    startedAt: now.toISOString(),
    ...(self ? { pidStart: self.start } : {}),
  };
}

/** The record in a lock's text; undefined when it is not one (torn, or written by something else). */
export function parseLockRecord(text: string): StackLockRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<StackLockRecord> | null;
    if (typeof r?.runId !== 'string' || typeof r.host !== 'string' || typeof r.pid !== 'number' || typeof r.startedAt !== 'string') {
      return undefined;
    }
    return r as StackLockRecord;
  } catch {
    return undefined;
  }
}

/**
 * The holder of a gitops lock, in the terms of Pulumi's own lock holders (so one wording serves
 * both): liveness from the process table when it is on this host, the command from the record.
 * An unreadable lock has no holder anyone could wait for: it reads as a dead one.
 */
export function holderOf(record: StackLockRecord | undefined, hostname = os.hostname()): LockHolder {
  if (!record) return { username: '?', hostname: '?', pid: 0, timestamp: '?', state: 'dead', command: 'unknown (unreadable lock)' };
  const holder = describeLock(
    {
      username: record.user,
      hostname: record.host,
      pid: record.pid,
      timestamp: record.startedAt,
      ...(typeof record.pidStart === 'number' ? { start: record.pidStart } : {}),
    },
    undefined,
    hostname,
  );
  return { ...holder, command: record.command };
}

/** When the lease of a record runs out (epoch ms), or undefined for a record without one. */
export function leaseExpiry(record: StackLockRecord | undefined): number | undefined {
  if (!record?.leaseMs || !record.renewedAt) return undefined;
  const renewed = Date.parse(record.renewedAt);
  return Number.isNaN(renewed) ? undefined : renewed + record.leaseMs;
}

/** A lock found on a stack, to be judged and perhaps removed by `unlock`. */
export interface FoundLock {
  holder: LockHolder;
  /** The record, when the lock holds one of ours. */
  record?: StackLockRecord;
  where: string;
  tag: string;
}
