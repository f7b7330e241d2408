import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * The CLI we build (`-tags osusergo`) finds its home through the user database, not $HOME. CI
 * containers set another $HOME (GitHub Actions: /github/home for root). The driver passes
 * PULUMI_HOME=$HOME/.pulumi to every CLI run, so Pulumi keeps its metadata where we look.
 */
describe('one Pulumi home when $HOME is not the home of the user database', () => {
  let home: string;
  let box: Sandbox;

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'gitops-home-'));
    box = await createSandbox();
  });
  afterAll(async () => {
    await box?.dispose();
    await rm(home, { recursive: true, force: true });
  });

  it('runs the engine with PULUMI_HOME=$HOME/.pulumi: Pulumi writes its workspace metadata there', async () => {
    expect(os.userInfo().homedir).not.toBe(home);
    const r = await box.run(['preview', '--stack', 'demo-base'], {
      HOME: home,
      PULUMI_HOME: undefined,
      // The CLI built for this machine, not a new build into the empty home.
      GITOPS_TOOLCHAIN_HOME: path.dirname(cacheRoot(process.env)),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('building Pulumi CLI');
    // `pulumi stack select` records the current stack in $PULUMI_HOME/workspaces; without
    // PULUMI_HOME it would land in the user database's home instead.
    const workspaces = path.join(home, '.pulumi', 'workspaces');
    expect(existsSync(workspaces)).toBe(true);
    expect(await readdir(workspaces)).toContainEqual(expect.stringMatching(/^local-base-[0-9a-f]+-workspace\.json$/));
  });
});
