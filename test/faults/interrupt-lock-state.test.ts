import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultBox, type FaultBox, interruptMidCreate, stillRunning, urnOf, waitFor } from './fault-box.js';

/**
 * SIGTERM and SIGINT mid-create (a CI job stopped politely), a lock left by a run on another
 * host, and a damaged state file: what the user sees, and that nothing is left half done.
 */
describe('SIGTERM mid-create, and a lock held from another host', () => {
  let f: FaultBox;
  const stack = 'termed';

  beforeAll(async () => {
    f = await createFaultBox(stack, 6_000);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('SIGTERM: the creates in flight finish, exit 130, no pending operation, lock or process left', async () => {
    const { r, seen } = await interruptMidCreate(f, stack, 'SIGTERM');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGTERM: cancelling running operations (again to force quit)');
    expect(r.stderr).toMatch(/\[termed\] cancelled/);
    expect(r.stderr).toMatch(/termed: cancelled/);
    // Pulumi lets the operations in flight finish before it stops: each is recorded, once.
    const state = f.state();
    expect(state.pending).toEqual([]);
    for (const name of ['steady', 'adopted', 'never']) {
      expect(f.instances(name), name).toHaveLength(1);
      expect(state.resources.filter((x) => x.urn === urnOf(stack, name))).toHaveLength(1);
    }
    expect(f.locks()).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
    // The program host is killed whole as the run ends; its namespace's init may take a moment to go.
    await waitFor('the run’s processes to be gone', () => stillRunning(seen).length === 0, 10_000);
    expect(f.recorded()).toEqual([]);
  });

  it('a deploy after it has nothing to do', async () => {
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[termed] up done: no changes');
  });

  it('a lock from another host: the error names holder, host, pid and age, and unlock needs --force', async () => {
    const taken = new Date(Date.now() - 10 * 60_000).toISOString();
    const lock = path.join(
      '.gitops',
      'state',
      '.pulumi',
      'locks',
      'organization',
      'slow-files',
      stack,
      '0c0ffee0-0000-4000-8000-000000000000.json',
    );
    await f.box.write(lock, JSON.stringify({ pid: 4242, username: 'ci', hostname: 'runner-7', timestamp: taken }));
    const holder =
      /created by ci@runner-7 \(pid 4242\) at \S+Z \(10 min ago\); command: unknown; on another host: whether it still runs cannot be checked from here/;

    const deploy = await f.gitops('deploy', '--stack', stack);
    expect(deploy.code, deploy.stderr).toBe(1);
    expect(deploy.stderr).toMatch(holder);
    expect(deploy.stderr).toContain('if that run is over (a killed CI job), clear the lock with `gitops unlock --stack termed --force`');

    const refused = await f.gitops('unlock', '--stack', stack);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/error: stack termed: locked from another host: created by ci@runner-7/);
    expect(refused.stderr).toMatch(holder);
    expect(refused.stderr).toContain('hint: if that run is over, `gitops unlock --stack termed --force` removes the lock');
    expect(f.locks()).toHaveLength(1);

    // Unlocking decrypts nothing: it needs no passphrase.
    const forced = await f.box.run(['unlock', '--stack', stack, '--force'], {
      PULUMI_CONFIG_PASSPHRASE: undefined,
      PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
    });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/\[termed\] unlocked \(removed the lock created by ci@runner-7 \(pid 4242\)/);
    expect(f.locks()).toEqual([]);

    const after = await f.gitops('deploy', '--stack', stack);
    expect(after.code, after.stderr).toBe(0);
  });

  it('a truncated state file: the stack stops, naming the file and the copy to restore; restoring it recovers', async () => {
    const state = path.join('.gitops', 'state', '.pulumi', 'stacks', 'slow-files', `${stack}.json`);
    const whole = await readFile(path.join(f.box.root, state), 'utf8');
    await f.box.write(state, whole.slice(0, Math.floor(whole.length / 2)));
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/\[termed\] FAILED: state file \S+termed\.json is damaged \(not valid JSON: .*\); nothing was run/);
    expect(r.stderr).toContain('Pulumi keeps the previous version next to it (termed.json.bak');
    await copyFile(path.join(f.box.root, `${state}.bak`), path.join(f.box.root, state));
    const after = await f.gitops('deploy', '--stack', stack, '--json');
    expect(after.code, after.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
  });
});

describe('SIGINT mid-create', () => {
  let f: FaultBox;
  const stack = 'interrupted';

  beforeAll(async () => {
    f = await createFaultBox(stack, 6_000);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('stops like SIGTERM: exit 130, every create recorded once, no pending operation, lock or process left', async () => {
    const { r, seen } = await interruptMidCreate(f, stack, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT: cancelling running operations (again to force quit)');
    expect(r.stderr).toMatch(/interrupted: cancelled/);
    expect(f.state().pending).toEqual([]);
    for (const name of ['steady', 'adopted', 'never']) expect(f.instances(name), name).toHaveLength(1);
    expect(f.locks()).toEqual([]);
    // The program host is killed whole as the run ends; its namespace's init may take a moment to go.
    await waitFor('the run’s processes to be gone', () => stillRunning(seen).length === 0, 10_000);
  });
});
