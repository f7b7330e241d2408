import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { createFaultBox, type FaultBox, stillRunning, urnOf, waitFor } from './fault-box.js';

/**
 * A deploy killed with SIGKILL of its whole process group (a cancelled CI job) while two
 * creates are in flight: `adopted` has made its file, `never` has not. What the user sees,
 * step by step, until the stack is whole again.
 */
describe('SIGKILL of a deploy mid-create, then recovery', () => {
  let f: FaultBox;
  let leftovers: ProcessRef[] = [];
  const stack = 'killed';

  beforeAll(async () => {
    // Long enough that the kill, the checks and the next run all land inside the creates.
    f = await createFaultBox(stack, 90_000);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('while the deploy runs, unlock refuses: the holder is alive on this host', async () => {
    const run = f.start('deploy', '--stack', stack);
    try {
      await waitFor(
        'both slow creates to begin',
        () => existsSync(path.join(f.files, '.creating-adopted')) && existsSync(path.join(f.files, '.creating-never')),
      );
      await waitFor(
        'steady to be recorded and the plugins to be watched',
        () => f.state().resources.some((r) => r.urn === urnOf(stack, 'steady')) && f.recorded().length >= 3,
      );
      const unlock = await f.gitops('unlock', '--stack', stack);
      expect(unlock.code, unlock.stderr).toBe(1);
      expect(unlock.stderr).toMatch(
        /refusing to unlock, the lock holder is still running: created by \S+@\S+ \(pid \d+\) at \S+ \(\d+s ago\);/,
      );
      expect(unlock.stderr).toMatch(/; command: .*pulumi up.*gitops\.js deploy --stack killed/);
      expect(f.locks()).toHaveLength(1);
    } finally {
      leftovers = f.recorded();
      run.killGroup('SIGKILL');
    }
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    // Pulumi starts plugins in process groups of their own: the group kill leaves them running.
    expect(
      stillRunning(leftovers)
        .map((p) => p.command)
        .join('\n'),
    ).toMatch(/dynamic-provider/);
    expect(
      f
        .state()
        .pending.map((p) => `${p.type} ${p.urn}`)
        .sort(),
    ).toEqual([`creating ${urnOf(stack, 'adopted')}`, `creating ${urnOf(stack, 'never')}`]);
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);
  });

  it('the next deploy reaps the dead run’s processes and takes over its lock without unlock, naming the dead holder', async () => {
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/stopped \d+ processes a killed run left behind: .*dynamic-provider/);
    expect(r.stderr).toMatch(/\[killed\] took over the lock of a dead run: created by \S+@\S+ \(pid \d+\) at \S+ \(\d+s ago\);/);
    expect(r.stderr).toMatch(/; command: \S*node \S+gitops\.js deploy --stack killed; no longer running \(it was on this host\)/);
    expect(r.stderr).toContain('stack killed has 2 pending operations from an interrupted run');
    expect(stillRunning(leftovers)).toEqual([]);
    // Pulumi's lock, left by the killed CLI, went with ours.
    expect(f.locks()).toEqual([]);
  });

  it('deploy then stops on the pending creates, names them and how to recover, and creates nothing', async () => {
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as { stacks: { status: string; error: { code: string; message: string } }[] }).stacks[0]!;
    expect(result.status).toBe('failed');
    expect(result.error.code).toBe('PENDING_OPERATIONS');
    expect(r.stderr).toContain('stack killed has 2 pending operations from an interrupted run; nothing was run over them');
    for (const name of ['adopted', 'never']) {
      expect(r.stderr).toMatch(
        new RegExp(
          `creating ${name} \\(pulumi-nodejs:dynamic/gitops:faults:SlowFile:Resource\\), interrupted by \\S+Z: ${urnOf(stack, name).replace(/[$:/]/g, '\\$&')}`,
        ),
      );
    }
    expect(r.stderr).toContain('gitops recover --stack killed --import URN=<its ID>');
    expect(r.stderr).toContain('gitops recover --stack killed --forget URN');
    // No duplicate: still exactly the one file the killed create made, and the other never made.
    expect(f.instances('adopted')).toHaveLength(1);
    expect(f.instances('never')).toHaveLength(0);
    expect(f.instances('steady')).toHaveLength(1);
  });

  it('drift remediation of the stack is blocked by the pending operations', async () => {
    // Out-of-band deletion of steady: drift a remediate policy would fix.
    await f.box.remove(path.join('.gitops', 'files', stack, f.instances('steady')[0]!));
    const r = await f.gitops('drift', '--stack', stack, '--remediate', '--json');
    const report = (JSON.parse(r.stdout) as { stacks: { action: string; blockedReason?: string }[] }).stacks[0]!;
    expect(report.action, r.stderr).toBe('blocked');
    expect(report.blockedReason).toContain('stack killed has 2 pending operations');
    expect(r.code).not.toBe(0);
    expect(f.instances('steady')).toHaveLength(0);
  });

  it('recover refuses a decision that leaves a pending operation undecided', async () => {
    const adopted = path.join(f.files, f.instances('adopted')[0]!);
    const r = await f.gitops('recover', '--stack', stack, '--import', `${urnOf(stack, 'adopted')}=${adopted}`);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`not decided: creating never (${'pulumi-nodejs:dynamic/gitops:faults:SlowFile:Resource'})`);
    expect(f.state().pending).toHaveLength(2);
  });

  it('recover --import adopts the created one, --forget drops the other', async () => {
    const { run: r, adopted } = await f.adoptAndForget();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`[killed] adopted adopted (id ${adopted})`);
    expect(r.stderr).toContain('[killed] forgot the pending operation on never');
    const state = f.state();
    expect(state.pending).toEqual([]);
    expect(state.resources.find((x) => x.urn === urnOf(stack, 'adopted'))?.id).toBe(adopted);
    expect(state.resources.some((x) => x.urn === urnOf(stack, 'never'))).toBe(false);
  });

  it('after recovery, a deploy makes what was forgotten, and every resource declared in Git exists exactly once: no pending operation, no lock, no process left', async () => {
    await f.setDelay(0);
    // Remediation only puts back what the refresh found drifted (steady, deleted out of band);
    // never was forgotten, so creating it is a change to deploy, not drift to remediate.
    const drift = await f.gitops('drift', '--stack', stack, '--remediate', '--json');
    const report = (JSON.parse(drift.stdout) as { stacks: { action: string; blockedReason?: string }[] }).stacks[0]!;
    expect(report.action, drift.stderr).toBe('blocked');
    expect(report.blockedReason).toMatch(/^the program's inputs changed since the last deploy: deploy first/);
    const deploy = await f.gitops('deploy', '--stack', stack, '--json');
    expect(deploy.code, deploy.stderr).toBe(0);
    const made = (JSON.parse(deploy.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    expect(made).toContain('create never');
    // Now steady's deletion is the only difference: remediation puts it back.
    const again = await f.gitops('drift', '--stack', stack, '--remediate', '--json');
    const fixed = (
      JSON.parse(again.stdout) as { stacks: { action: string; remediation?: { resources: { name: string; op: string }[] } }[] }
    ).stacks[0]!;
    expect(fixed.action, again.stderr).toBe('remediated');
    expect(fixed.remediation!.resources.map((x) => `${x.op} ${x.name}`)).toEqual(['create steady']);
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(0);
    const ops = (JSON.parse(r.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources.map(
      (x) => `${x.op} ${x.name}`,
    );
    expect(ops.sort()).toEqual(['same adopted', 'same never', 'same steady']);
    for (const name of ['steady', 'adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
    const state = f.state();
    expect(state.pending).toEqual([]);
    for (const name of ['steady', 'adopted', 'never']) expect(state.resources.filter((x) => x.urn === urnOf(stack, name))).toHaveLength(1);
    expect(f.locks()).toEqual([]);
    expect(stillRunning(leftovers)).toEqual([]);
    // A finished run leaves no record of processes to reap.
    expect(f.recorded()).toEqual([]);
  });
});
