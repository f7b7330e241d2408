import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { createFaultBox, type FaultBox, type Running, stillRunning, urnOf } from './fault-box.js';

interface RawResource {
  urn: string;
  id?: string;
  outputs?: { version?: string };
}

/**
 * Kills the run's process group (SIGKILL) as soon as the state file changes so that `written`
 * holds: polled every 2 ms, so the kill lands right after Pulumi's write, while the run goes on.
 * Resolves with the state the kill followed.
 */
function killOnStateWrite(f: FaultBox, run: Running, written: (resources: RawResource[]) => boolean): Promise<RawResource[]> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      try {
        if (!existsSync(f.stateFile)) return;
        const stamp = `${statSync(f.stateFile).mtimeMs}`;
        if (stamp === seen) return;
        seen = stamp;
        const doc = JSON.parse(readFileSync(f.stateFile, 'utf8')) as { checkpoint: { latest?: { resources?: RawResource[] } } };
        const resources = doc.checkpoint.latest?.resources ?? [];
        if (!written(resources)) return;
        clearInterval(timer);
        run.killGroup('SIGKILL');
        resolve(resources);
      } catch (err) {
        clearInterval(timer);
        run.killGroup('SIGKILL');
        reject(err);
      }
    }, 2);
    void run.done.then(() => {
      clearInterval(timer);
      reject(new Error('the run ended before the awaited state write'));
    });
  });
}

/**
 * SIGKILL of a deploy right after the engine writes the state, i.e. right after a resource
 * completes: the state file stays whole, and after recovery nothing is duplicated or lost.
 */
describe('SIGKILL right after a state write, then recovery', () => {
  let f: FaultBox;
  let leftovers: ProcessRef[] = [];
  const stack = 'writing';
  const names = ['steady', 'adopted', 'never'];
  const has = (resources: RawResource[], name: string): boolean => resources.some((r) => r.urn === urnOf(stack, name));

  beforeAll(async () => {
    f = await createFaultBox(stack, 90_000);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('killed at the write that records steady’s create: the state is whole, the two creates in flight are pending', async () => {
    // steady's create waits for both slow creates to begin: its write always follows their pending records.
    await f.box.write(path.join('.gitops', 'files', stack, '.hold-steady'), '');
    const run = f.start('deploy', '--stack', stack);
    const after = await killOnStateWrite(f, run, (resources) => has(resources, 'steady'));
    leftovers = f.recorded();
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(has(after, 'adopted') || has(after, 'never')).toBe(false);
    // The file parses (Pulumi writes it whole, then renames) and is the one the kill followed.
    const state = f.state();
    expect(state.resources.filter((r) => r.urn === urnOf(stack, 'steady'))).toHaveLength(1);
    expect(state.pending.map((p) => `${p.type} ${p.urn}`).sort()).toEqual([
      `creating ${urnOf(stack, 'adopted')}`,
      `creating ${urnOf(stack, 'never')}`,
    ]);
    expect(f.instances('steady')).toHaveLength(1);
    expect(f.locks()).toHaveLength(1);
  });

  it('unlock, then deploy stops on the pending creates; recover adopts one and forgets the other', async () => {
    const unlock = await f.gitops('unlock', '--stack', stack);
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stderr).toMatch(/\[writing\] unlocked \(removed the lock created by .*no longer running/);
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('stack writing has 2 pending operations from an interrupted run; nothing was run over them');
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);

    await f.setDelay(0);
    const { run: rec } = await f.adoptAndForget();
    expect(rec.code, rec.stderr).toBe(0);
    const d = await f.gitops('deploy', '--stack', stack, '--json');
    expect(d.code, d.stderr).toBe(0);
    const ops = (JSON.parse(d.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    expect(ops.sort()).toEqual(['create never', 'same adopted', 'same steady']);
    for (const name of names) expect(f.instances(name), name).toHaveLength(1);
    expect(stillRunning(leftovers)).toEqual([]);
  });

  it('killed at the first write that records a finished update: the next runs finish it, nothing made twice or lost', async () => {
    await f.setVersion('2');
    // The slow updates take long enough that the kill after steady's update lands while they run.
    await f.setDelay(5_000);
    const run = f.start('deploy', '--stack', stack);
    const after = await killOnStateWrite(f, run, (resources) => resources.some((r) => r.outputs?.version === '2'));
    leftovers = f.recorded();
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    const updated = names.filter((n) => after.some((r) => r.urn === urnOf(stack, n) && r.outputs?.version === '2'));
    expect(updated.length).toBeGreaterThan(0);
    // Whatever else raced the kill, the file is whole and each resource is in it once.
    const state = f.state();
    for (const name of names)
      expect(
        state.resources.filter((r) => r.urn === urnOf(stack, name)),
        name,
      ).toHaveLength(1);
    for (const p of state.pending) expect(p.type).toBe('updating');
    process.stderr.write(
      `[faults] killed after the write recording ${updated.join(', ')}; pending then: ${state.pending.length}; lock: ${f.locks().length}\n`,
    );

    // A lock the killed run left is taken over by the next run (its holder is dead, on this host): no unlock.
    // An interrupted update is settled by forgetting it (recover reads the resource back from its provider).
    const pending = f.state().pending;
    if (pending.length > 0) {
      const blocked = await f.gitops('deploy', '--stack', stack);
      expect(blocked.code, blocked.stderr).toBe(1);
      expect(blocked.stderr).toContain(`stack writing has ${pending.length} pending operation`);
      const rec = await f.gitops('recover', '--stack', stack, ...pending.flatMap((p) => ['--forget', p.urn]));
      expect(rec.code, rec.stderr).toBe(0);
    }
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    for (const name of names) {
      expect(f.instances(name), name).toHaveLength(1);
      expect(readFileSync(path.join(f.files, f.instances(name)[0]!), 'utf8')).toBe(`${name} 2`);
    }
    const final = f.state();
    expect(final.pending).toEqual([]);
    for (const name of names) expect(final.resources.filter((r) => r.urn === urnOf(stack, name))).toHaveLength(1);
    expect(f.locks()).toEqual([]);
    expect(stillRunning(leftovers)).toEqual([]);
    expect(f.recorded()).toEqual([]);
    const again = await f.gitops('deploy', '--stack', stack);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('[writing] up done: no changes');
  });
});
