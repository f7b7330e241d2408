import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { createFaultBox, type FaultBox, stillRunning, waitFor } from './fault-box.js';

/**
 * The program runs in a process of its own (the program host, Pulumi's language plugin for
 * gitops). Killed with SIGKILL mid-create, its stack fails with a reason that says so, and no
 * process of the run is left behind.
 */
describe('SIGKILL of the program host mid-create', () => {
  let f: FaultBox;
  const stack = 'hostkill';

  beforeAll(async () => {
    f = await createFaultBox(stack, 20_000);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('is a failed stack with a clear reason, and leaves no process behind', async () => {
    const run = f.start('deploy', '--stack', stack, '--json');
    let processes: ProcessRef[] = [];
    let host: ProcessRef | undefined;
    try {
      await waitFor('a slow create to begin', () => existsSync(path.join(f.files, '.creating-adopted')));
      await waitFor('the program host to be recorded', () => {
        processes = f.recorded();
        // The CLI may start the host more than once (to ask for plugins, then to run): the live one runs the program.
        host = stillRunning(processes).find((p) => /^\S*node\s.*program-host\.js/.test(p.command));
        return host !== undefined && processes.some((p) => p.command.includes('dynamic-provider'));
      });
      process.kill(host!.pid, 'SIGKILL');
    } catch (err) {
      run.killGroup('SIGKILL');
      throw err;
    }
    const r = await run.done;
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as { stacks: { name: string; status: string; error?: { code: string; message: string } }[] };
    expect(result.stacks[0]).toMatchObject({ name: stack, status: 'failed', error: { code: 'PROGRAM_ERROR' } });
    expect(result.stacks[0]!.error!.message).toContain("the program's process (the gitops program host) died while the program ran");
    // The run's own plugins (the dynamic provider in its create) are gone with it.
    expect(stillRunning(processes).map((p) => p.command)).toEqual([]);
  });
});

describe('a program that never finishes', () => {
  let f: FaultBox;
  const stack = 'hung';

  beforeAll(async () => {
    f = await createFaultBox(stack, 0, { GITOPS_OPERATION_TIMEOUT: '0.2' });
    await f.box.write('programs/hung/index.ts', 'export default () => new Promise(() => { setInterval(() => undefined, 1000); });\n');
    await f.box.write(`stacks/${stack}.yaml`, 'program: hung\n');
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('is stopped at its time limit, fails its stack, and leaves no process behind', async () => {
    const run = f.start('deploy', '--stack', stack, '--json');
    let processes: ProcessRef[] = [];
    const poll = setInterval(() => {
      const now = f.recorded();
      if (now.length > processes.length) processes = now;
    }, 100);
    const r = await run.done.finally(() => clearInterval(poll));
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout) as { stacks: { status: string; error?: { code: string; message: string } }[] };
    expect(result.stacks[0]).toMatchObject({ status: 'failed', error: { code: 'TIMED_OUT' } });
    expect(result.stacks[0]!.error!.message).toContain(`stack ${stack}: stopped after 12 s, its time limit`);
    expect(processes.some((p) => p.command.includes('program-host.js'))).toBe(true);
    expect(stillRunning(processes).map((p) => p.command)).toEqual([]);
  });
});
