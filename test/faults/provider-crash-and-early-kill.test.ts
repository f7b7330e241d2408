import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultBox, type FaultBox, urnOf } from './fault-box.js';

/** A provider process that dies mid-create, and a deploy killed before the engine started. */
describe('a provider crash mid-create, and SIGKILL before the engine starts', () => {
  let f: FaultBox;
  const stack = 'crashing';

  beforeAll(async () => {
    f = await createFaultBox(stack, 0);
  });
  afterAll(async () => {
    await f.box.dispose();
  });

  it('SIGKILL before the engine starts leaves no lock, state or process behind', async () => {
    const run = f.start('deploy', '--stack', stack);
    // Loading the driver alone takes longer than this: the kill lands before any Pulumi process.
    await sleep(150);
    run.killGroup('SIGKILL');
    const killed = await run.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(f.files, '.creating-steady'))).toBe(false);
    expect(f.locks()).toEqual([]);
  });

  it('an unreachable file backend: exit 2 naming the URL, before anything runs', async () => {
    await f.box.write('not-a-folder', '');
    const url = `file://${path.join(f.box.root, 'not-a-folder', 'state')}`;
    const r = await f.box.run(['deploy', '--stack', stack], { PULUMI_BACKEND_URL: url });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`error: state backend ${url}: cannot create its folder`);
    expect(r.stderr).toContain('(ENOTDIR); nothing ran');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(f.files, '.creating-steady'))).toBe(false);
  });

  it('the provider dies mid-create: exit 1, and the error names every create in flight, which nothing tracks', async () => {
    await f.box.write(path.join('files', stack, '.crash-never'), '');
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as { stacks: { status: string; error: { code: string; message: string } }[] }).stacks[0]!;
    expect(result.status).toBe('failed');
    expect(result.error.code).toBe('PROVIDER_ERROR');
    // How the broken connection reads depends on timing: EOF, or a reset connection.
    expect(result.error.message).toMatch(
      /stack crashing: a provider process died mid-operation \(error reading from server: (EOF|connection reset by peer)\)/,
    );
    const named =
      /these creates were in flight and may have happened, untracked: ([^\n(]+)/
        .exec(result.error.message)?.[1]
        ?.split(', ')
        .map((n) => n.trim()) ?? [];
    expect(named).toEqual(expect.arrayContaining(['adopted', 'never']));
    expect(result.error.message).toContain('(outcome unknown)');
    expect(result.error.message).toContain('Pulumi keeps no pending operation for them, so the next deploy creates them again');
    // Pulumi records them as failed, not pending: the guard cannot see them, so the message must.
    expect(f.state().pending).toEqual([]);
    const tracked = new Set(f.state().resources.map((x) => x.id));
    const orphans = ['steady', 'adopted', 'never'].flatMap((name) =>
      f
        .instances(name)
        .filter((file) => !tracked.has(path.join(f.files, file)))
        .map(() => name),
    );
    // Which creates got as far as making their file before the crash varies from run to run
    // (one run here made steady twice after a plain retry): every orphan on disk is one the message named.
    for (const name of orphans) expect(named).toContain(name);
    expect(f.locks()).toEqual([]);
  });

  it('after removing what the message named, with the provider fixed, every resource exists exactly once', async () => {
    const tracked = new Set(f.state().resources.map((x) => x.id));
    for (const name of ['steady', 'adopted', 'never']) {
      for (const file of f.instances(name)) if (!tracked.has(path.join(f.files, file))) await f.box.remove(path.join('files', stack, file));
    }
    await f.box.remove(path.join('files', stack, '.crash-never'));
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never']) {
      expect(f.instances(name), name).toHaveLength(1);
      expect(f.state().resources.filter((x) => x.urn === urnOf(stack, name))).toHaveLength(1);
    }
    expect(f.state().pending).toEqual([]);
    expect(f.locks()).toEqual([]);
  });
});
