import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readProcess, startedAt } from '../../src/processes/process-table.js';

describe("a process's start time, as the lock's liveness check reads it", () => {
  it('falls between just before the process was spawned and when it was read (not off by the boot time in whole seconds)', async () => {
    const before = Date.now();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { stdio: 'ignore' });
    try {
      await once(child, 'spawn');
      const p = readProcess(child.pid!);
      expect(p).toBeDefined();
      const started = startedAt(p!);
      const after = Date.now();
      expect(started).toBeDefined();
      // Start ticks and /proc/uptime are in hundredths of a second: a tick or two of slack.
      expect(started!).toBeGreaterThanOrEqual(before - 30);
      expect(started!).toBeLessThanOrEqual(after);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
