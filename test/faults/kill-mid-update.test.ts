import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { createFaultBox, type FaultBox, slowType, stillRunning, urnOf, waitFor } from './fault-box.js';

/**
 * A deploy killed with SIGKILL of its process group while two resources are updated in place
 * (a new `version`): the pending updates are reported, `recover --forget` reads them back from
 * the provider, and the next deploy finishes the updates, with no resource made twice.
 */
describe('SIGKILL of a deploy mid-update, then recovery', () => {
  let f: FaultBox;
  let leftovers: ProcessRef[] = [];
  const stack = 'updating';
  const names = ['steady', 'adopted', 'never'];
  const content = (name: string): string => readFileSync(path.join(f.files, f.instances(name)[0]!), 'utf8');

  beforeAll(async () => {
    f = await createFaultBox(stack, 0);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('deploys version 1 of the three resources', async () => {
    await f.setVersion('1');
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    for (const name of names) expect(f.instances(name), name).toHaveLength(1);
  });

  it('killed while updating to version 2: the kill leaves two pending updates and the old files', async () => {
    await f.setDelay(90_000);
    await f.setVersion('2');
    const run = f.start('deploy', '--stack', stack);
    try {
      await waitFor(
        'both slow updates to begin',
        () => existsSync(path.join(f.files, '.updating-adopted')) && existsSync(path.join(f.files, '.updating-never')),
      );
      await waitFor('the provider to be watched', () => f.recorded().some((p) => p.command.includes('dynamic-provider')));
      // The quick update of steady must be over and recorded, so the kill lands on the two slow ones only.
      const pendingNames = (): string[] => {
        try {
          return f.state().pending.map((p) => p.urn);
        } catch {
          return [urnOf(stack, 'steady')]; // the state file is being rewritten: look again
        }
      };
      await waitFor(
        'the quick update to be recorded',
        () => content('steady') === 'steady 2' && !pendingNames().includes(urnOf(stack, 'steady')),
      );
      leftovers = f.recorded();
    } finally {
      run.killGroup('SIGKILL');
    }
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(
      f
        .state()
        .pending.map((p) => `${p.type} ${p.urn}`)
        .sort(),
    ).toEqual([`updating ${urnOf(stack, 'adopted')}`, `updating ${urnOf(stack, 'never')}`]);
    // Updated in place: still one file each, and the slow ones not rewritten yet.
    for (const name of names) expect(f.instances(name), name).toHaveLength(1);
    expect(content('adopted')).toBe('adopted');
    expect(content('never')).toBe('never');
  });

  it('the next deploy reaps the dead run’s processes and takes over its lock without unlock, naming the dead holder', async () => {
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stopped \d+ processes a killed run left behind: .*dynamic-provider/);
    expect(r.stderr).toMatch(/\[updating\] took over the lock of a dead run: created by \S+@\S+ \(pid \d+\) at \S+ \(\d+s ago\);/);
    expect(r.stderr).toContain('stack updating has 2 pending operations from an interrupted run');
    expect(stillRunning(leftovers)).toEqual([]);
    // Pulumi's lock, left by the killed CLI, went with ours.
    expect(f.locks()).toEqual([]);
  });

  it('deploy then stops on the pending updates, names them, says to forget them, and changes nothing', async () => {
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as { stacks: { status: string; error: { code: string } }[] }).stacks[0]!;
    expect(result.status).toBe('failed');
    expect(result.error.code).toBe('PENDING_OPERATIONS');
    expect(r.stderr).toContain('stack updating has 2 pending operations from an interrupted run; nothing was run over them');
    for (const name of ['adopted', 'never']) expect(r.stderr).toContain(`updating ${name} (${slowType}), interrupted by `);
    expect(r.stderr).toContain(
      '`gitops recover --stack updating --forget URN` drops the entry and refreshes the resource from its provider',
    );
    expect(r.stderr).not.toContain('--import URN=');
    for (const name of names) expect(f.instances(name), name).toHaveLength(1);
    expect(content('adopted')).toBe('adopted');
  });

  it('recover --import is refused for a pending update', async () => {
    const id = path.join(f.files, f.instances('adopted')[0]!);
    const r = await f.gitops(
      'recover',
      '--stack',
      stack,
      '--import',
      `${urnOf(stack, 'adopted')}=${id}`,
      '--forget',
      urnOf(stack, 'never'),
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${urnOf(stack, 'adopted')}: --import adopts pending creates only; this one is updating (use --forget)`);
    expect(f.state().pending).toHaveLength(2);
  });

  it('recover --forget drops both; the next deploy updates them, and every resource exists exactly once', async () => {
    await f.setDelay(0);
    const rec = await f.gitops('recover', '--stack', stack, '--forget', urnOf(stack, 'adopted'), '--forget', urnOf(stack, 'never'));
    expect(rec.code, rec.stderr).toBe(0);
    for (const name of ['adopted', 'never']) expect(rec.stderr).toContain(`[updating] forgot the pending operation on ${name}`);
    expect(f.state().pending).toEqual([]);
    for (const name of names)
      expect(
        f.state().resources.filter((x) => x.urn === urnOf(stack, name)),
        name,
      ).toHaveLength(1);

    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(0);
    const ops = (JSON.parse(r.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    // steady's update finished before the kill and was recorded; the interrupted two run again.
    expect(ops.sort()).toEqual(['same steady', 'update adopted', 'update never']);
    for (const name of names) {
      expect(f.instances(name), name).toHaveLength(1);
      expect(content(name)).toBe(`${name} 2`);
    }
    const state = f.state();
    expect(state.pending).toEqual([]);
    for (const name of names) expect(state.resources.filter((x) => x.urn === urnOf(stack, name))).toHaveLength(1);
    expect(f.locks()).toEqual([]);
    expect(stillRunning(leftovers)).toEqual([]);
    expect(f.recorded()).toEqual([]);

    const again = await f.gitops('deploy', '--stack', stack);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('[updating] up done: no changes');
  });
});
