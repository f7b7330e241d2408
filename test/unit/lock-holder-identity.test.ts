import { describe, expect, it } from 'vitest';
import { readProcess } from '../../src/processes/process-table.js';
import { holderOf, newLockRecord } from '../../src/state-lock/lock-record.js';

describe("a gitops lock's holder on this host", () => {
  const self = readProcess(process.pid)!;
  // Taken an hour before this process started, by the wall clock: as it reads after the clock
  // was stepped forward while the holder ran (or for a pid reused since).
  const anHourBefore = new Date(Date.now() - 3_600_000 - process.uptime() * 1000);

  it('records the start ticks of the process that took it', () => {
    expect(newLockRecord('p', 's').pidStart).toBe(self.start);
  });

  it('with its start ticks: alive while that very process runs, whatever the wall clock says', () => {
    const record = { ...newLockRecord('p', 's', anHourBefore), pidStart: self.start };
    expect(holderOf(record).state).toBe('alive');
  });

  it('with start ticks of another process under the same pid: dead (the pid was reused)', () => {
    const record = { ...newLockRecord('p', 's'), pidStart: self.start + 1 };
    expect(holderOf(record).state).toBe('dead');
  });

  it('an older record without them: the time check (a process started after the lock was taken is another one)', () => {
    const { pidStart: _, ...older } = newLockRecord('p', 's', anHourBefore);
    expect(holderOf(older).state).toBe('dead');
    const { pidStart: __, ...recent } = newLockRecord('p', 's');
    expect(holderOf(recent).state).toBe('alive');
  });
});
