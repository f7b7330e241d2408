import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLockRecord, type StackLockRecord } from '../../src/state-lock/lock-record.js';
import { createFaultBox, type FaultBox, waitFor } from './fault-box.js';

/**
 * The gitops stack lock (`.gitops/locks/<project>/<stack>.json` beside the state) through a
 * SIGKILL: while the run lives, `unlock` refuses; once it is killed, its lock stays, and the
 * next run takes it over (the holder is dead, on this host), Pulumi's lock with it. A lock from
 * another host without a lease needs --force.
 */
describe('the gitops stack lock after a SIGKILL (file backend)', () => {
  let f: FaultBox;
  let killedPid = 0;
  const stack = 'lock-killed';
  const ourLock = () => path.join(f.box.root, '.gitops', 'state', '.gitops', 'locks', 'slow-files', `${stack}.json`);
  const record = (): StackLockRecord | undefined => (existsSync(ourLock()) ? parseLockRecord(readFileSync(ourLock(), 'utf8')) : undefined);

  beforeAll(async () => {
    f = await createFaultBox(stack, 90_000);
  });
  afterAll(async () => {
    await f?.box.dispose();
  });

  it('a running deploy holds the lock, naming itself; unlock refuses while it runs; SIGKILL leaves the lock behind', async () => {
    const run = f.start('deploy', '--stack', stack);
    try {
      await waitFor('a slow create to begin', () => existsSync(path.join(f.files, '.creating-adopted')));
      const held = record();
      expect(held).toMatchObject({ project: 'slow-files', stack, pid: run.pid });
      expect(held?.command).toMatch(/gitops\.js deploy --stack lock-killed$/);
      const unlock = await f.gitops('unlock', '--stack', stack);
      expect(unlock.code, unlock.stderr).toBe(1);
      expect(unlock.stderr).toContain(
        `refusing to unlock, the lock holder is still running: created by ${held?.user}@${held?.host} (pid ${run.pid})`,
      );
      expect(existsSync(ourLock())).toBe(true);
    } finally {
      killedPid = run.pid;
      run.killGroup('SIGKILL');
    }
    expect((await run.done).signal).toBe('SIGKILL');
    expect(record()?.pid).toBe(killedPid);
    expect(f.locks()).toHaveLength(1);
  });

  it('the next deploy takes it over without unlock, naming the dead holder and its command, then stops on the pending creates', async () => {
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `\\[${stack}\\] took over the lock of a dead run: created by \\S+@\\S+ \\(pid ${killedPid}\\) at \\S+ \\(\\d+s ago\\); ` +
          `command: \\S*node \\S+gitops\\.js deploy --stack ${stack}; no longer running \\(it was on this host\\)`,
      ),
    );
    const error = (JSON.parse(r.stdout) as { stacks: { error: { code: string } }[] }).stacks[0]!.error;
    expect(error.code).toBe('PENDING_OPERATIONS');
    // Ours was released with the run; Pulumi's, left by the killed CLI, went with the takeover.
    expect(existsSync(ourLock())).toBe(false);
    expect(f.locks()).toEqual([]);
  });

  it('a lock from another host: unlock shows it and needs --force', async () => {
    const remote: StackLockRecord = {
      version: 1,
      runId: '00000000-0000-4000-8000-000000000000',
      project: 'slow-files',
      stack,
      user: 'ci',
      host: 'runner-7',
      pid: 4242,
      command: 'node bin/gitops.js deploy --all',
      startedAt: new Date(Date.now() - 600_000).toISOString(),
    };
    await f.box.write(path.relative(f.box.root, ourLock()), JSON.stringify(remote));
    const refused = await f.gitops('unlock', '--stack', stack);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`stack ${stack}: locked from another host: created by ci@runner-7 (pid 4242)`);
    expect(refused.stderr).toContain('(10 min ago); command: node bin/gitops.js deploy --all; on another host');
    expect(refused.stderr).toContain(`\`gitops unlock --stack ${stack} --force\``);
    expect(existsSync(ourLock())).toBe(true);
    const forced = await f.gitops('unlock', '--stack', stack, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`[${stack}] unlocked (removed the lock created by ci@runner-7 (pid 4242)`);
    expect(existsSync(ourLock())).toBe(false);
  });
});
