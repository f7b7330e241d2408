import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDurableState, checkPassphrase, resolveBackendUrl } from '../../src/backend/backend-url.js';
import { ExitCode, exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/** The error `fn` throws (failing the test if it throws none). */
function thrown(fn: () => unknown): GitopsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GitopsError);
    return err as GitopsError;
  }
  throw new Error('expected an error, none was thrown');
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-unsafe-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the passphrase', () => {
  it('refuses an empty PULUMI_CONFIG_PASSPHRASE (exit 2), even beside a passphrase file, as Pulumi would use the empty one', async () => {
    const file = path.join(tmp, 'good-passphrase');
    await writeFile(file, 'from-file\n');
    for (const env of [{ PULUMI_CONFIG_PASSPHRASE: '' }, { PULUMI_CONFIG_PASSPHRASE: '', PULUMI_CONFIG_PASSPHRASE_FILE: file }]) {
      const err = thrown(() => checkPassphrase(env));
      expect(err.code).toBe('PASSPHRASE_INVALID');
      expect(err.message).toContain('PULUMI_CONFIG_PASSPHRASE is set but empty');
      expect(exitCodeFor(err)).toBe(ExitCode.Usage);
    }
  });

  it('refuses a passphrase file holding only whitespace, and names the file', async () => {
    const file = path.join(tmp, 'blank-passphrase');
    await writeFile(file, ' \n\n');
    const err = thrown(() => checkPassphrase({ PULUMI_CONFIG_PASSPHRASE_FILE: file }));
    expect([err.code, exitCodeFor(err)]).toEqual(['PASSPHRASE_INVALID', ExitCode.Usage]);
    expect(err.message).toContain(file);
  });

  it('accepts a non-empty passphrase or passphrase file; a missing one is PASSPHRASE_MISSING', async () => {
    const file = path.join(tmp, 'passphrase');
    await writeFile(file, 'secret-from-file\n');
    expect(() => checkPassphrase({ PULUMI_CONFIG_PASSPHRASE: 'x' })).not.toThrow();
    expect(() => checkPassphrase({ PULUMI_CONFIG_PASSPHRASE_FILE: file })).not.toThrow();
    expect(thrown(() => checkPassphrase({})).code).toBe('PASSPHRASE_MISSING');
    expect(thrown(() => checkPassphrase({ PULUMI_CONFIG_PASSPHRASE_FILE: path.join(tmp, 'nope') })).code).toBe('PASSPHRASE_MISSING');
  });

  it("checks another passphrase variable by name (a stack's secrets.passphraseEnv)", () => {
    expect(() => checkPassphrase({ PROD_PASSPHRASE: 'p' }, 'PROD_PASSPHRASE')).not.toThrow();
    expect(thrown(() => checkPassphrase({ PROD_PASSPHRASE: '' }, 'PROD_PASSPHRASE')).message).toContain('PROD_PASSPHRASE is set but empty');
    const unset = thrown(() => checkPassphrase({ PULUMI_CONFIG_PASSPHRASE: 'p' }, 'PROD_PASSPHRASE'));
    expect(unset.message).toContain('PROD_PASSPHRASE is not set');
  });
});

describe('durable state in CI', () => {
  it('refuses, in CI, the default file backend inside the checkout (exit 2), naming it and the way out', async () => {
    const root = await mkdtemp(path.join(tmp, 'repo-'));
    await writeFile(path.join(root, 'Pulumi.yaml'), 'name: demo\nruntime: nodejs\n');
    const err = thrown(() => resolveBackendUrl(layoutAt(root), { CI: 'true' }));
    expect([err.code, exitCodeFor(err)]).toEqual(['USAGE', ExitCode.Usage]);
    expect(err.message).toContain(`file://${path.join(root, '.gitops', 'state')}`);
    expect(err.hint).toContain('GITOPS_ALLOW_EPHEMERAL_STATE=1');
  });

  it('refuses a file backend inside the checkout given in Pulumi.yaml (relative) or in PULUMI_BACKEND_URL', async () => {
    const root = await mkdtemp(path.join(tmp, 'repo-'));
    await writeFile(path.join(root, 'Pulumi.yaml'), 'name: demo\nruntime: nodejs\nbackend:\n  url: file://./state\n');
    expect(thrown(() => resolveBackendUrl(layoutAt(root), { CI: 'true' })).code).toBe('USAGE');
    expect(thrown(() => resolveBackendUrl(layoutAt(root), { CI: 'true', PULUMI_BACKEND_URL: `file://${root}/x` })).code).toBe('USAGE');
    expect(thrown(() => checkDurableState(`file://${root}`, layoutAt(root), { CI: 'true' })).code).toBe('USAGE');
  });

  it('looks at the real path and any case of the scheme: a symlink into the checkout, FILE://, /proc/self/cwd', async () => {
    const root = await mkdtemp(path.join(tmp, 'repo-'));
    const link = path.join(await mkdtemp(path.join(tmp, 'elsewhere-')), 'state');
    await symlink(root, link, 'dir');
    const ci = { CI: 'true' };
    expect(thrown(() => checkDurableState(`file://${link}/new-folder`, layoutAt(root), ci)).code).toBe('USAGE');
    expect(thrown(() => checkDurableState(`FILE://${root}/state`, layoutAt(root), ci)).code).toBe('USAGE');
    expect(thrown(() => checkDurableState(`file:///proc/self/cwd/state`, layoutAt(process.cwd()), ci)).code).toBe('USAGE');
  });

  it('allows it with GITOPS_ALLOW_EPHEMERAL_STATE=1, outside CI, and for backends outside the checkout', async () => {
    const root = await mkdtemp(path.join(tmp, 'repo-'));
    await writeFile(path.join(root, 'Pulumi.yaml'), 'name: demo\nruntime: nodejs\n');
    const layout = layoutAt(root);
    const inCheckout = `file://${path.join(root, '.gitops', 'state')}`;
    expect(resolveBackendUrl(layout, { CI: 'true', GITOPS_ALLOW_EPHEMERAL_STATE: '1' })).toBe(inCheckout);
    expect(resolveBackendUrl(layout, {})).toBe(inCheckout);
    expect(resolveBackendUrl(layout, { CI: 'false' })).toBe(inCheckout);
    expect(resolveBackendUrl(layout, { CI: 'true', PULUMI_BACKEND_URL: 's3://state-bucket' })).toBe('s3://state-bucket');
    // A sibling folder whose name starts like the checkout's is outside it.
    expect(resolveBackendUrl(layout, { CI: 'true', PULUMI_BACKEND_URL: `file://${root}-state` })).toBe(`file://${root}-state`);
    const elsewhere = 'file:///var/lib/pulumi-state';
    expect(resolveBackendUrl(layout, { CI: 'true', PULUMI_BACKEND_URL: elsewhere })).toBe(elsewhere);
  });
});

describe('the CLI refuses unsafe defaults before anything runs', () => {
  let box: Sandbox;
  beforeAll(async () => {
    box = await createSandbox();
  });
  afterAll(async () => {
    await box.dispose();
  });
  // GITOPS_NO_TOOLCHAIN=1: were the checks missing, the run would fail at once on the toolchain, not build it.
  const base = { GITOPS_NO_TOOLCHAIN: '1', CI: undefined, GITOPS_ALLOW_EPHEMERAL_STATE: undefined };

  it('deploy with PULUMI_CONFIG_PASSPHRASE= exits 2', async () => {
    const run = await box.run(['deploy', '--all'], { ...base, PULUMI_CONFIG_PASSPHRASE: '' });
    expect(run.stderr).toContain('PULUMI_CONFIG_PASSPHRASE is set but empty');
    expect(run.code).toBe(ExitCode.Usage);
  });

  it('deploy in CI with the default state backend exits 2; GITOPS_ALLOW_EPHEMERAL_STATE=1 gets past the check', async () => {
    const refused = await box.run(['deploy', '--all'], { ...base, CI: 'true' });
    expect(refused.stderr).toContain('is inside the checkout');
    expect(refused.code).toBe(ExitCode.Usage);
    const allowed = await box.run(['deploy', '--all'], { ...base, CI: 'true', GITOPS_ALLOW_EPHEMERAL_STATE: '1' });
    expect(allowed.stderr).not.toContain('is inside the checkout');
    expect(allowed.stderr).toContain('GITOPS_NO_TOOLCHAIN');
  });
});
