import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyEdges, diffLocked } from '../../src/affected/lockfile/diff.js';
import { diffManifest } from '../../src/affected/lockfile/manifest.js';
import { isLockfile, readLockfile } from '../../src/affected/lockfile/read.js';
import { packageOfSpecifier } from '../../src/affected/program-reach.js';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/lockfiles', name), 'utf8');
const repoLockfile = readFileSync(path.join(import.meta.dirname, '../../package-lock.json'), 'utf8');

describe('reading lockfiles', () => {
  it("npm v3: this repository's own lockfile, every installed copy with its version, integrity and dependencies", () => {
    const packages = readLockfile('package-lock.json', repoLockfile);
    const aws = packages.get('@pulumi/aws')!;
    expect(aws).toHaveLength(1);
    expect(aws[0]!.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(aws[0]!.integrity).toMatch(/^sha512-/);
    expect(aws[0]!.dependencies).toEqual(expect.arrayContaining(['@pulumi/pulumi', 'mime']));
    expect(packages.has('')).toBe(false);
    expect(packages.has('pulumi-gitops')).toBe(false);
  });

  it('npm v1: nested dependencies with their requires', () => {
    const v1 = JSON.stringify({
      lockfileVersion: 1,
      dependencies: {
        a: {
          version: '1.0.0',
          integrity: 'sha512-a',
          requires: { b: '^2.0.0' },
          dependencies: { b: { version: '2.0.0', integrity: 'sha512-b' } },
        },
        b: { version: '3.0.0', integrity: 'sha512-b3' },
      },
    });
    const packages = readLockfile('npm-shrinkwrap.json', v1);
    expect(packages.get('a')).toEqual([{ version: '1.0.0', integrity: 'sha512-a', dependencies: ['b'] }]);
    expect(
      packages
        .get('b')!
        .map((c) => c.version)
        .sort(),
    ).toEqual(['2.0.0', '3.0.0']);
  });

  it('pnpm v9: resolutions from packages joined with dependencies from snapshots, peer suffixes left out', () => {
    const packages = readLockfile('pnpm-lock.yaml', fixture('pnpm-v9.yaml'));
    expect(packages.get('@pulumi/aws')).toEqual([
      { version: '7.12.0', integrity: expect.stringMatching(/^sha512-uVrf/), dependencies: ['@pulumi/pulumi', 'mime'] },
    ]);
    expect(packages.get('@pulumi/pulumi')).toEqual([
      { version: '3.248.0', integrity: expect.stringMatching(/^sha512-AAAA/), dependencies: ['typescript'] },
    ]);
    expect([...packages.keys()].sort()).toEqual(['@pulumi/aws', '@pulumi/pulumi', 'mime', 'typescript', 'vitest']);
  });

  it('pnpm v6: keys with a leading slash', () => {
    const packages = readLockfile('programs/web/pnpm-lock.yaml', fixture('pnpm-v6.yaml'));
    expect(packages.get('@pulumi/aws')).toEqual([{ version: '6.0.0', integrity: 'sha512-CCCC', dependencies: ['mime'] }]);
    expect(packages.get('mime')![0]!.version).toBe('2.6.0');
  });

  it('yarn v1 and yarn berry read to the same packages; workspace links are left out', () => {
    for (const name of ['yarn-v1.lock', 'yarn-berry.lock']) {
      const packages = readLockfile('yarn.lock', fixture(name));
      expect([...packages.keys()].sort(), name).toEqual([
        '@pulumi/aws',
        '@pulumi/pulumi',
        'mime',
        ...(name === 'yarn-v1.lock' ? ['vitest'] : []),
      ]);
      expect(packages.get('@pulumi/aws')![0]!.dependencies, name).toEqual(['@pulumi/pulumi', 'mime']);
      expect(packages.get('mime')![0]!.version, name).toBe('2.6.0');
      expect(packages.get('mime')![0]!.integrity, name).not.toBe('');
    }
  });

  it('refuses text that is not a lockfile, naming the cause', () => {
    expect(() => readLockfile('package-lock.json', '{"name":"x"}')).toThrow(/lockfileVersion/);
    expect(() => readLockfile('package-lock.json', '<<<<<<< HEAD')).toThrow();
    expect(() => readLockfile('pnpm-lock.yaml', 'foo: [')).toThrow();
    expect(() => readLockfile('yarn.lock', '  version "1"\n')).toThrow(/outside an entry/);
    expect(isLockfile('a/b/yarn.lock')).toBe(true);
    expect(isLockfile('yarn.lock.bak')).toBe(false);
  });
});

describe('diffLocked', () => {
  const base = readLockfile('package-lock.json', repoLockfile);
  const bump = (name: string, edit: (entry: Record<string, unknown>) => void) => {
    const doc = JSON.parse(repoLockfile) as { packages: Record<string, Record<string, unknown>> };
    edit(doc.packages[`node_modules/${name}`]!);
    return readLockfile('package-lock.json', JSON.stringify(doc));
  };

  it('names a package whose version or integrity changed, with its versions on both sides', () => {
    const version = base.get('mime')![0]!.version;
    expect(
      diffLocked(
        base,
        bump('mime', (e) => (e.version = '9.9.9')),
      ),
    ).toEqual(new Map([['mime', { from: version, to: '9.9.9' }]]));
    const integrityOnly = diffLocked(
      base,
      bump('mime', (e) => (e.integrity = 'sha512-other')),
    );
    expect(integrityOnly).toEqual(new Map([['mime', { from: version, to: version }]]));
    expect(diffLocked(base, base).size).toBe(0);
  });

  it('a lockfile added or removed changes every package in it', () => {
    const small = readLockfile('yarn.lock', fixture('yarn-v1.lock'));
    expect([...diffLocked(undefined, small).keys()].sort()).toEqual(['@pulumi/aws', '@pulumi/pulumi', 'mime', 'vitest']);
    expect(diffLocked(small, undefined).get('mime')).toEqual({ from: '2.6.0', to: '' });
  });

  it('dependency edges join both sides', () => {
    const before = readLockfile('yarn.lock', fixture('yarn-v1.lock'));
    const after = readLockfile('pnpm-lock.yaml', fixture('pnpm-v9.yaml'));
    expect([...dependencyEdges(before, after).get('@pulumi/pulumi')!]).toEqual(['typescript']);
  });
});

describe('diffManifest', () => {
  const pkg = (o: object) => `${JSON.stringify(o, null, 2)}\n`;

  it('names the packages whose wanted range changed in any dependency section', () => {
    const d = diffManifest(
      pkg({ dependencies: { '@pulumi/aws': '7.12.0' }, devDependencies: { vitest: '4.1.12' } }),
      pkg({ dependencies: { '@pulumi/aws': '7.13.0' }, devDependencies: { vitest: '4.1.12', tsx: '4.0.0' } }),
    );
    expect(d.packages).toEqual(
      new Map([
        ['@pulumi/aws', { from: '7.12.0', to: '7.13.0' }],
        ['tsx', { from: '', to: '4.0.0' }],
      ]),
    );
    expect(d.fields).toEqual([]);
  });

  it('inert fields change nothing; others are named', () => {
    expect(diffManifest(pkg({ version: '1.0.0', scripts: { a: 'x' } }), pkg({ version: '1.1.0', scripts: { a: 'y' } })).fields).toEqual([]);
    expect(diffManifest(pkg({ type: 'commonjs' }), pkg({ type: 'module', overrides: { a: '1' } })).fields).toEqual(['overrides', 'type']);
    expect(() => diffManifest('{', pkg({}))).toThrow();
  });
});

describe('packageOfSpecifier', () => {
  it('takes the package name of a bare specifier and nothing else', () => {
    expect(packageOfSpecifier('@pulumi/aws/s3')).toBe('@pulumi/aws');
    expect(packageOfSpecifier('lodash/fp')).toBe('lodash');
    expect(packageOfSpecifier('./x')).toBeUndefined();
    expect(packageOfSpecifier('#internal')).toBeUndefined();
    expect(packageOfSpecifier('node:fs')).toBeUndefined();
    expect(packageOfSpecifier('fs/promises')).toBeUndefined();
  });
});
