import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveBackendUrl } from '../../../src/backend/backend-url.js';
import { layoutAt } from '../../../src/repo/layout.js';
import { goBuild } from '../../../src/toolchain/go-build.js';
import { onPath } from '../../../src/toolchain/on-path.js';
import { cacheRoot, ensurePulumi } from '../../../src/toolchain/pulumi-cli.js';
import { pulumiCliEnv, pulumiHome } from '../../../src/toolchain/pulumi-home.js';
import { toolCacheDir } from '../../../src/toolchain/tool-cache.js';
import { PULUMI_VERSION, versionFits } from '../../../src/toolchain/versions.js';

describe('one Pulumi home', () => {
  it('is $PULUMI_HOME when set (made absolute), else $HOME/.pulumi', () => {
    expect(pulumiHome({ HOME: '/home/ci' })).toBe('/home/ci/.pulumi');
    expect(pulumiHome({ HOME: '/home/ci', PULUMI_HOME: '/opt/pulumi' })).toBe('/opt/pulumi');
    expect(pulumiHome({ HOME: '/home/ci', PULUMI_HOME: 'rel/home' })).toBe(path.resolve('rel/home'));
    expect(pulumiHome({})).toBe(path.join(os.homedir(), '.pulumi'));
  });

  it('is passed to every CLI run, without losing the rest of the environment', () => {
    const env = pulumiCliEnv({ HOME: '/github/home', PATH: '/usr/bin', PULUMI_CONFIG_PASSPHRASE: 'p' });
    expect(env).toEqual({
      HOME: '/github/home',
      PATH: '/usr/bin',
      PULUMI_CONFIG_PASSPHRASE: 'p',
      PULUMI_HOME: '/github/home/.pulumi',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
    });
  });

  it('leaves the CLI and tool caches where they were: ~/.pulumi/versions/<version> and ~/.pulumi/gitops-tools', () => {
    expect(cacheRoot({ HOME: '/home/ci' })).toBe(`/home/ci/.pulumi/versions/${PULUMI_VERSION}`);
    expect(cacheRoot({ HOME: '/home/ci', PULUMI_HOME: '/elsewhere' })).toBe(`/home/ci/.pulumi/versions/${PULUMI_VERSION}`);
    expect(cacheRoot({ HOME: '/home/ci', GITOPS_TOOLCHAIN_HOME: '/cache' })).toBe(`/cache/${PULUMI_VERSION}`);
    expect(toolCacheDir({ HOME: '/home/ci' }, 'etcd', 'v3.6.15')).toBe('/home/ci/.pulumi/gitops-tools/etcd/v3.6.15');
  });

  it('expands a file://~ backend with $HOME, as the CLI would not', () => {
    const backend = (url: string): string => resolveBackendUrl(layoutAt('/repo'), { HOME: '/github/home', PULUMI_BACKEND_URL: url });
    expect(backend('file://~')).toBe('file:///github/home');
    expect(backend('file://~/state?x=1')).toBe('file:///github/home/state?x=1');
    expect(backend('file:///abs/~x')).toBe('file:///abs/~x');
    expect(backend('s3://bucket')).toBe('s3://bucket');
  });
});

describe('versionFits (semver)', () => {
  it('accepts the pinned version and newer ones of the same major version', () => {
    expect(versionFits('v3.248.0')).toBe(true);
    expect(versionFits('3.248.0\n')).toBe(true);
    expect(versionFits('v3.274.1')).toBe(true);
    expect(versionFits('v3.249.0-alpha.1712345+g0d1e2f3')).toBe(true);
  });

  it('refuses older, prerelease-of-pinned, next-major and unreadable versions', () => {
    expect(versionFits('v3.247.9')).toBe(false);
    expect(versionFits('v3.248.0-alpha.1')).toBe(false);
    expect(versionFits('v4.0.0')).toBe(false);
    expect(versionFits('v2.999.0')).toBe(false);
    expect(versionFits('')).toBe(false);
    expect(versionFits('pulumi: command not found')).toBe(false);
  });
});

describe('onPath', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'on-path-'));
    for (const sub of ['a', 'b']) {
      await mkdir(path.join(dir, sub));
      await writeFile(path.join(dir, sub, 'tool'), '#!/bin/sh\n');
      await chmod(path.join(dir, sub, 'tool'), 0o755);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds the first match in PATH order, skipping empty entries and missing folders', () => {
    const PATH = ['', path.join(dir, 'missing'), path.join(dir, 'b'), path.join(dir, 'a')].join(path.delimiter);
    expect(onPath({ PATH }, 'tool')).toBe(path.join(dir, 'b', 'tool'));
    expect(onPath({ PATH }, 'other')).toBeUndefined();
    expect(onPath({}, 'tool')).toBeUndefined();
  });
});

describe('the unit tier reaches no toolchain', () => {
  it('runs with GITOPS_NO_TOOLCHAIN=1, so the engine toolchain fails at once instead of installing', async () => {
    const started = Date.now();
    await expect(ensurePulumi(process.env, () => {})).rejects.toMatchObject({
      code: 'TOOLCHAIN_MISSING',
      message: expect.stringContaining('GITOPS_NO_TOOLCHAIN=1'),
    });
    const spec = { label: 'a tool', mainPackage: 'example.com/tool', requires: {}, output: path.join(os.tmpdir(), 'never-built') };
    await expect(goBuild(spec, process.env, () => {})).rejects.toMatchObject({ code: 'TOOLCHAIN_MISSING' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
