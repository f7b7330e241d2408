import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultBox, type FaultBox, interruptMidCreate, stillRunning, waitFor } from './fault-box.js';

/**
 * SIGTERM and SIGINT to the whole process group mid-create, as a CI runner cancels a job: the
 * Pulumi CLI gets exactly one cancel (from the driver), so the creates in flight finish and are
 * recorded, and the output says nothing was left pending.
 */
describe.each(['SIGTERM', 'SIGINT'] as const)('%s to the process group mid-create', (signal) => {
  let f: FaultBox;
  const stack = `group-${signal.toLowerCase()}`;

  beforeAll(async () => {
    f = await createFaultBox(stack, 6_000);
  });
  afterAll(async () => {
    await f?.box.dispose();
  });

  it('the creates in flight finish and are recorded once; exit 130; no pending operation, lock or process left', async () => {
    const { r, seen } = await interruptMidCreate(f, stack, signal, 'group');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain(`${signal}: cancelling running operations`);
    expect(r.stderr).toContain('every operation in flight finished and was recorded; nothing is pending');
    expect(f.state().pending).toEqual([]);
    for (const name of ['adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
    expect(f.locks()).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    // The program host is killed whole as the run ends; its namespace's init may take a moment to go.
    await waitFor('the run’s processes to be gone', () => stillRunning(seen).length === 0, 10_000);
    const next = await f.gitops('deploy', '--stack', stack);
    expect(next.code, next.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
  });
});
