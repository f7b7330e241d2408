import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { createFaultBox, type FaultBox, slowType, stillRunning, urnOf, waitFor } from './fault-box.js';

/**
 * A deploy killed with SIGKILL of its process group while it deletes a resource that left
 * Git: the pending delete is reported, `recover --forget` drops it and reads the resource back
 * from its provider, and the next deploy finishes the delete, once.
 */
describe('SIGKILL of a deploy mid-delete, then recovery', () => {
  let f: FaultBox;
  let leftovers: ProcessRef[] = [];
  const stack = 'deleting';
  const doomed = urnOf(stack, 'doomed');

  beforeAll(async () => {
    f = await createFaultBox(stack, 0);
    await f.setDoomed(true);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('deploys the four resources', async () => {
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never', 'doomed']) expect(f.instances(name), name).toHaveLength(1);
  });

  it('killed while deleting doomed: the next deploy stops on the pending delete and says how to settle it', async () => {
    await f.setDelay(90_000);
    await f.setDoomed(false);
    const run = f.start('deploy', '--stack', stack);
    try {
      await waitFor('the delete of doomed to begin', () => existsSync(path.join(f.files, '.deleting-doomed')));
      await waitFor('the provider to be watched', () => f.recorded().some((p) => p.command.includes('dynamic-provider')));
      leftovers = f.recorded();
    } finally {
      run.killGroup('SIGKILL');
    }
    await run.done;
    expect(f.state().pending).toEqual([{ type: 'deleting', urn: doomed }]);
    expect(f.instances('doomed')).toHaveLength(1);

    const unlock = await f.gitops('unlock', '--stack', stack);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stderr).toMatch(/stopped \d+ processes a killed run left behind|unlocked/);
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('stack deleting has 1 pending operation from an interrupted run; nothing was run over it');
    expect(r.stderr).toContain(`deleting doomed (${slowType}), interrupted by `);
    expect(r.stderr).toContain(
      '`gitops recover --stack deleting --forget URN` drops the entry and refreshes the resource from its provider',
    );
    expect(stillRunning(leftovers)).toEqual([]);
  });

  it('recover --forget drops the pending delete and reads doomed back; the next deploy deletes it, once', async () => {
    await f.setDelay(0);
    const rec = await f.gitops('recover', '--stack', stack, '--forget', doomed);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toContain('[deleting] forgot the pending operation on doomed');
    const state = f.state();
    expect(state.pending).toEqual([]);
    // The delete was killed before it happened: the provider still finds the file, so the state keeps it.
    expect(state.resources.filter((x) => x.urn === doomed)).toHaveLength(1);

    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(0);
    const ops = (JSON.parse(r.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    expect(ops.sort()).toEqual(['delete doomed', 'same adopted', 'same never', 'same steady']);
    expect(f.instances('doomed')).toHaveLength(0);
    for (const name of ['steady', 'adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
    expect(f.state().pending).toEqual([]);
    expect(f.state().resources.some((x) => x.urn === doomed)).toBe(false);
    expect(f.locks()).toEqual([]);
  });
});
