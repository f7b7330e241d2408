import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFaultBox, type FaultBox, slowType, urnOf } from './fault-box.js';

type Json = { stacks: { status: string; error: { code: string; message: string } }[] };

/**
 * A provider process that dies mid-create, and a deploy killed before the engine started. The
 * creates a dead provider had in flight are recorded beside the state; every later run of the
 * stack stops on them until `gitops recover --forget` settles each one.
 */
describe('a provider crash mid-create, and SIGKILL before the engine starts', () => {
  let f: FaultBox;
  const stack = 'crashing';
  /** The record of creates of unknown outcome, beside the file backend's state. */
  const recordFile = (): string => path.join(f.box.root, '.gitops', 'state', '.gitops', 'unknown', 'slow-files', `${stack}.json`);
  const recorded = (): { urn: string; name: string; type: string; at: string; command: string }[] =>
    existsSync(recordFile()) ? (JSON.parse(readFileSync(recordFile(), 'utf8')) as { creates: [] }).creates : [];
  const counts = (): Record<string, number> =>
    Object.fromEntries(['steady', 'adopted', 'never', 'doomed'].map((n) => [n, f.instances(n).length]));
  let named: string[] = [];

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
    await f.box.write(path.join('.gitops', 'files', stack, '.crash-never'), '');
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as Json).stacks[0]!;
    expect(result.status).toBe('failed');
    expect(result.error.code).toBe('PROVIDER_ERROR');
    // How the broken connection reads depends on timing: EOF, or a reset connection.
    expect(result.error.message).toMatch(
      /stack crashing: a provider process died mid-operation \(error reading from server: (EOF|connection reset by peer)\)/,
    );
    named =
      /these creates were in flight and may have happened, untracked: ([^\n(]+)/
        .exec(result.error.message)?.[1]
        ?.split(', ')
        .map((n) => n.trim()) ?? [];
    expect(named).toEqual(expect.arrayContaining(['adopted', 'never']));
    expect(result.error.message).toContain('(outcome unknown)');
    expect(result.error.message).toContain('Pulumi keeps no pending operation for them, so gitops recorded them');
    expect(result.error.message).toContain(`\`gitops recover --stack ${stack} --forget URN\``);
    // The record names the same creates, with the type, the time and the run's command.
    expect(
      recorded()
        .map((c) => c.name)
        .sort(),
    ).toEqual([...named].sort());
    for (const c of recorded()) {
      expect(c.urn).toBe(urnOf(stack, c.name));
      expect(c.type).toBe(slowType);
      expect(c.command).toContain('deploy --stack crashing');
      expect(Date.parse(c.at)).not.toBeNaN();
    }
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

  it('with the provider fixed, a plain deploy stops on them: UNKNOWN_OUTCOME naming each, and nothing is created', async () => {
    await f.box.remove(path.join('.gitops', 'files', stack, '.crash-never'));
    const before = counts();
    const r = await f.gitops('deploy', '--stack', stack, '--json');
    expect(r.code, r.stderr).toBe(1);
    const error = (JSON.parse(r.stdout) as Json).stacks[0]!.error;
    expect(error.code).toBe('UNKNOWN_OUTCOME');
    expect(error.message).toContain(`stack ${stack} has ${named.length} creates of unknown outcome`);
    for (const name of named) expect(error.message).toContain(`create ${name} (${slowType}), provider died at `);
    for (const name of named) expect(error.message).toContain(urnOf(stack, name));
    expect(error.message).toContain('delete it by hand');
    expect(error.message).toContain('`pulumi import`');
    expect(error.message).toContain(`\`gitops recover --stack ${stack} --forget URN\``);
    expect(counts()).toEqual(before);
    expect(f.locks()).toEqual([]);
  });

  it('recover refuses --import for them (nothing was recorded to adopt from) and a recover that leaves one undecided', async () => {
    const [first, ...rest] = named;
    const imported = await f.gitops('recover', '--stack', stack, '--import', `${urnOf(stack, first!)}=some-id`);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain('--import cannot adopt a create of unknown outcome');
    if (rest.length > 0) {
      const partial = await f.gitops('recover', '--stack', stack, '--forget', urnOf(stack, first!));
      expect(partial.code).toBe(2);
      expect(partial.stderr).toContain(`not decided: create ${rest[0]} (${slowType})`);
    }
    expect(
      recorded()
        .map((c) => c.name)
        .sort(),
    ).toEqual([...named].sort());
  });

  it('after removing the orphans and recover --forget of each, deploy makes every resource exactly once', async () => {
    const tracked = new Set(f.state().resources.map((x) => x.id));
    for (const name of ['steady', 'adopted', 'never']) {
      for (const file of f.instances(name))
        if (!tracked.has(path.join(f.files, file))) await f.box.remove(path.join('.gitops', 'files', stack, file));
    }
    const rec = await f.gitops('recover', '--stack', stack, ...named.flatMap((n) => ['--forget', urnOf(stack, n)]));
    expect(rec.code, rec.stderr).toBe(0);
    for (const name of named) expect(rec.stderr).toContain(`settled the create of unknown outcome of ${name}`);
    expect(existsSync(recordFile())).toBe(false);
    const r = await f.gitops('deploy', '--stack', stack);
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never']) {
      expect(f.instances(name), name).toHaveLength(1);
      expect(f.state().resources.filter((x) => x.urn === urnOf(stack, name))).toHaveLength(1);
    }
    expect(f.state().pending).toEqual([]);
    expect(f.locks()).toEqual([]);
  });

  it('a later crash blocks drift remediation with the reason, while detection still reports the drift', async () => {
    // Only `doomed` is created, and its create kills the provider: exactly one create of unknown outcome.
    await f.box.write(path.join('.gitops', 'files', stack, '.crash-doomed'), '');
    await f.setDoomed(true);
    const crashed = await f.gitops('deploy', '--stack', stack);
    expect(crashed.code).toBe(1);
    expect(recorded().map((c) => c.name)).toEqual(['doomed']);
    await f.box.remove(path.join('.gitops', 'files', stack, '.crash-doomed'));
    // Out-of-band deletion of steady: drift a remediate policy would fix.
    await f.box.remove(path.join('.gitops', 'files', stack, f.instances('steady')[0]!));
    const r = await f.gitops('drift', '--stack', stack, '--remediate', '--json');
    const report = (
      JSON.parse(r.stdout) as {
        stacks: { action: string; blockedReason?: string; resources: { name: string; op: string }[]; error?: { code: string } }[];
      }
    ).stacks[0]!;
    expect(report.action, r.stderr).toBe('blocked');
    expect(report.error?.code).toBe('UNKNOWN_OUTCOME');
    expect(report.blockedReason).toContain(`stack ${stack} has 1 create of unknown outcome`);
    expect(report.resources.map((d) => `${d.op} ${d.name}`)).toEqual(['delete steady']);
    expect(r.code).not.toBe(0);
    expect(f.instances('steady')).toHaveLength(0);
    expect(f.instances('doomed')).toHaveLength(0);
  });

  it('forgetting it lets the stack run again: doomed and steady are made once each', async () => {
    const rec = await f.gitops('recover', '--stack', stack, '--forget', urnOf(stack, 'doomed'));
    expect(rec.code, rec.stderr).toBe(0);
    const r = await f.gitops('deploy', '--stack', stack, '--refresh');
    expect(r.code, r.stderr).toBe(0);
    for (const name of ['steady', 'adopted', 'never', 'doomed']) expect(f.instances(name), name).toHaveLength(1);
    expect(existsSync(recordFile())).toBe(false);
    expect(f.locks()).toEqual([]);
  });
});
