import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSingleSdk, sdkFrom, sdkPeerRange } from '../../src/engine/single-sdk.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Installs a package folder `@pulumi/pulumi` of `version` below `at`. */
async function installSdk(at: string, version: string): Promise<void> {
  const dir = path.join(at, 'node_modules', '@pulumi', 'pulumi');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@pulumi/pulumi', version, main: 'index.js' }));
  await writeFile(path.join(dir, 'index.js'), 'module.exports = {};\n');
}

/** A team repository with its own SDK, gitops installed in it, and a program folder. */
async function teamRepo(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-sdk-'));
  dirs.push(root);
  await installSdk(root, '3.248.0');
  await mkdir(path.join(root, 'node_modules', 'pulumi-gitops', 'dist'), { recursive: true });
  await mkdir(path.join(root, 'programs', 'web'), { recursive: true });
  return root;
}

function refusal(fn: () => void): GitopsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GitopsError);
    return err as GitopsError;
  }
  throw new Error('expected a refusal');
}

describe('one @pulumi/pulumi per process', () => {
  it('the copy a folder resolves: its own, or one in a folder above', async () => {
    const root = await teamRepo();
    const copy = sdkFrom(path.join(root, 'programs', 'web'))!;
    expect(copy.version).toBe('3.248.0');
    expect(copy.dir).toBe(path.join(root, 'node_modules', '@pulumi', 'pulumi'));
    expect(sdkFrom(path.join(root, 'node_modules', 'pulumi-gitops', 'dist'))).toEqual(copy);
    expect(sdkFrom(os.tmpdir())).toBeUndefined();
  });

  it("gitops installed beside the team's SDK shares it: no refusal", async () => {
    const root = await teamRepo();
    const driver = sdkFrom(path.join(root, 'node_modules', 'pulumi-gitops', 'dist'));
    expect(() => checkSingleSdk(driver, new Map([['programs/web', sdkFrom(path.join(root, 'programs', 'web'))]]))).not.toThrow();
  });

  it('a second copy, nested below gitops or in a program folder, is refused with exit 2, naming both', async () => {
    const root = await teamRepo();
    await installSdk(path.join(root, 'node_modules', 'pulumi-gitops'), '3.200.0');
    const driver = sdkFrom(path.join(root, 'node_modules', 'pulumi-gitops', 'dist'));
    expect(driver!.version).toBe('3.200.0');
    const err = refusal(() => checkSingleSdk(driver, new Map([['.', sdkFrom(root)]])));
    expect(err.code).toBe('SDK_CONFLICT');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.message).toContain('two copies of @pulumi/pulumi: gitops loads 3.200.0');
    expect(err.message).toContain('programs in . would load 3.248.0');

    await installSdk(path.join(root, 'programs', 'web'), '3.249.0');
    const own = sdkFrom(path.join(root, 'programs', 'web'));
    expect(refusal(() => checkSingleSdk(sdkFrom(root), new Map([['programs/web', own]]))).message).toContain(
      'programs/web would load 3.249.0',
    );
  });

  it('no SDK at all: refused with the install command and the peer range', () => {
    const err = refusal(() => checkSingleSdk(undefined, new Map()));
    expect(exitCodeFor(err)).toBe(2);
    expect(err.hint).toContain(`@pulumi/pulumi@"${sdkPeerRange}"`);
  });

  it('the documented peer range is the one package.json declares', () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(pkg.peerDependencies['@pulumi/pulumi']).toBe(sdkPeerRange);
    expect(pkg.devDependencies['@pulumi/pulumi']).toBeDefined();
    expect(pkg.dependencies['@pulumi/pulumi']).toBeUndefined();
  });
});
