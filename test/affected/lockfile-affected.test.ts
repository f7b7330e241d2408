import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAffected, computeAffectedFromFiles } from '../../src/affected/affected.js';
import type { AffectedResult } from '../../src/affected/model.js';
import { layoutAt } from '../../src/repo/layout.js';
import { affectedJson, renderExplain } from '../../src/report/affected-render.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo, stackYaml } from '../helpers/git-repo.js';

const repoLockfile = readFileSync(path.join(import.meta.dirname, '../../package-lock.json'), 'utf8');
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '../fixtures/lockfiles', name), 'utf8');

type Lock = { packages: Record<string, Record<string, unknown>> };
const lock = (): Lock => JSON.parse(repoLockfile) as Lock;
const text = (doc: object) => `${JSON.stringify(doc, null, 2)}\n`;

/**
 * Three programs: `web` imports @pulumi/aws (which depends on mime), `dns` reaches mime only
 * through a shared library outside its folder, `plain` imports no package.
 */
function files(lockfile = repoLockfile): Record<string, string> {
  return {
    'Pulumi.yaml': 'name: platform\nruntime: nodejs\n',
    'package.json': text({
      type: 'module',
      private: true,
      dependencies: { '@pulumi/aws': '7.12.0' },
      devDependencies: { vitest: '4.1.12' },
    }),
    'package-lock.json': lockfile,
    'stacks/web.yaml': stackYaml('web'),
    'stacks/dns.yaml': stackYaml('dns'),
    'stacks/plain.yaml': stackYaml('plain'),
    'programs/web/index.ts': "import * as aws from '@pulumi/aws';\nexport default async () => ({ b: aws.s3 !== undefined });\n",
    'programs/dns/index.ts': "import { mimeOf } from '../../lib/mime.js';\nexport default async () => ({ t: mimeOf('a.txt') });\n",
    'programs/plain/index.ts': 'export default async () => ({});\n',
    'lib/mime.ts': "import mime from 'mime';\nexport const mimeOf = (f: string) => mime.getType(f);\n",
  };
}

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

async function changed(edit: Record<string, string>, start = files()): Promise<AffectedResult> {
  const repo = await createGitRepo(start);
  repos.push(repo);
  await repo.git('checkout', '--quiet', '-b', 'feature');
  await repo.write(edit);
  await repo.commit('bump');
  const layout = layoutAt(repo.dir);
  return computeAffected({ layout, catalog: await loadStacks(layout), base: 'main' });
}

const names = (r: AffectedResult) => r.stacks.map((s) => s.name);

describe('lockfile changes on real repositories', () => {
  it("a bump of the tool's own dev dependency affects no stack", async () => {
    const doc = lock();
    doc.packages['node_modules/vitest']!.version = '4.9.9';
    doc.packages['node_modules/vitest']!.integrity = 'sha512-bumped';
    const r = await changed({ 'package-lock.json': text(doc) });
    expect(r.changes.map((c) => c.path)).toEqual(['package-lock.json']);
    expect(r.stacks).toEqual([]);
  });

  it('a bump of a package one program imports affects exactly its stacks, naming the package and versions', async () => {
    const doc = lock();
    const from = doc.packages['node_modules/@pulumi/aws']!.version as string;
    doc.packages['node_modules/@pulumi/aws']!.version = '7.99.0';
    const r = await changed({ 'package-lock.json': text(doc) });
    expect(names(r)).toEqual(['web']);
    expect(r.stacks[0]!.reasons).toEqual([
      { kind: 'package', path: 'package-lock.json', package: '@pulumi/aws', from, to: '7.99.0', via: ['@pulumi/aws'] },
    ]);
    expect(renderExplain(r)).toContain(`package @pulumi/aws ${from} -> 7.99.0 in package-lock.json, which the program imports`);
    expect(affectedJson(r).stacks[0]!.reasons).toEqual([
      { kind: 'package', path: 'package-lock.json', package: '@pulumi/aws', from, to: '7.99.0' },
    ]);
  });

  it('a package reached through another package and through a shared library affects both programs', async () => {
    const doc = lock();
    const from = doc.packages['node_modules/mime']!.version as string;
    doc.packages['node_modules/mime']!.integrity = 'sha512-another-build';
    const r = await changed({ 'package-lock.json': text(doc) });
    expect(names(r)).toEqual(['dns', 'web']);
    const web = r.stacks.find((s) => s.name === 'web')!;
    expect(web.reasons).toEqual([
      { kind: 'package', path: 'package-lock.json', package: 'mime', from, to: from, via: ['@pulumi/aws', 'mime'] },
    ]);
    expect(renderExplain(r)).toContain(
      `package mime ${from} changed its integrity in package-lock.json (reached through @pulumi/aws -> mime)`,
    );
    expect(r.stacks.find((s) => s.name === 'dns')!.reasons[0]!.via).toEqual(['mime']);
  });

  it('a lockfile that cannot be read affects every stack, never none', async () => {
    const r = await changed({ 'package-lock.json': '<<<<<<< HEAD\n{}\n' });
    expect(names(r)).toEqual(['dns', 'plain', 'web']);
    expect(r.stacks[0]!.reasons).toEqual([
      { kind: 'lockfile', path: 'package-lock.json', detail: expect.stringMatching(/^cannot be read at the head: /) },
    ]);
    expect(renderExplain(r)).toMatch(/package-lock\.json changed and cannot be read at the head: .*, so it counts for every stack/);
  });

  it('package.json: a dev dependency range changes nothing; a runtime field affects every stack', async () => {
    const pkg = JSON.parse(files()['package.json']!) as Record<string, Record<string, string>>;
    const devOnly = await changed({ 'package.json': text({ ...pkg, devDependencies: { vitest: '5.0.0' }, scripts: { x: 'y' } }) });
    expect(devOnly.stacks).toEqual([]);
    const typeChange = await changed({ 'package.json': text({ ...pkg, type: 'commonjs' }) });
    expect(names(typeChange)).toEqual(['dns', 'plain', 'web']);
    expect(typeChange.stacks[0]!.reasons).toEqual([{ kind: 'lockfile', path: 'package.json', detail: 'its field type changed' }]);
  });

  it('pnpm: a catalogue bump that moves a provider version affects the program importing it', async () => {
    const start: Record<string, string> = { ...files(), 'pnpm-lock.yaml': fixture('pnpm-v9.yaml') };
    delete start['package-lock.json'];
    const bumped = fixture('pnpm-v9.yaml')
      .replaceAll('@pulumi/aws@7.12.0', '@pulumi/aws@7.13.0')
      .replace('version: 7.12.0', 'version: 7.13.0');
    const r = await changed({ 'pnpm-lock.yaml': bumped, 'pnpm-workspace.yaml': "catalog:\n  '@pulumi/aws': 7.13.0\n" }, start);
    expect(names(r)).toEqual(['web']);
    expect(r.stacks[0]!.reasons).toEqual([
      { kind: 'package', path: 'pnpm-lock.yaml', package: '@pulumi/aws', from: '7.12.0', to: '7.13.0', via: ['@pulumi/aws'] },
    ]);
  });

  it("pnpm: the tool's own dependency bumped through the catalogue affects no stack", async () => {
    const start: Record<string, string> = {
      ...files(),
      'pnpm-lock.yaml': fixture('pnpm-v9.yaml'),
      'pnpm-workspace.yaml': "packages: ['programs/*']\ncatalog:\n  '@pulumi/aws': 7.12.0\n  vitest: 4.1.12\n",
      'package.json': text({ type: 'module', private: true, devDependencies: { vitest: 'catalog:' } }),
    };
    delete start['package-lock.json'];
    const bumped = fixture('pnpm-v9.yaml')
      .replace('specifier: 4.1.12\n        version: 4.1.12', "specifier: 'catalog:'\n        version: 4.1.13")
      .replaceAll('vitest@4.1.12', 'vitest@4.1.13')
      .replace('catalogs:\n  default:\n', 'catalogs:\n  default:\n    vitest:\n      specifier: 4.1.13\n      version: 4.1.13\n');
    expect(bumped).toContain('vitest@4.1.13');
    const tool = await changed(
      {
        'pnpm-lock.yaml': bumped,
        'pnpm-workspace.yaml': "packages: ['programs/*']\ncatalog:\n  '@pulumi/aws': 7.12.0\n  vitest: 4.1.13\n",
      },
      start,
    );
    expect(tool.stacks).toEqual([]);
    // Only the catalogue file: a new entry for a tool, no lockfile change yet.
    const entry = await changed({ 'pnpm-workspace.yaml': `${start['pnpm-workspace.yaml']}  prettier: 3.6.2\n` }, start);
    expect(entry.stacks).toEqual([]);
  });

  it('yarn: a transitive bump reaches the programs through the recorded dependencies', async () => {
    const start: Record<string, string> = { ...files(), 'yarn.lock': fixture('yarn-v1.lock') };
    delete start['package-lock.json'];
    const r = await changed({ 'yarn.lock': fixture('yarn-v1.lock').replace('version "2.6.0"', 'version "2.6.1"') }, start);
    expect(names(r)).toEqual(['dns', 'web']);
  });

  it("a program folder's own lockfile concerns only that program", async () => {
    const start = { ...files(), 'programs/web/yarn.lock': fixture('yarn-berry.lock') };
    const r = await changed({ 'programs/web/yarn.lock': fixture('yarn-berry.lock').replace('version: 2.6.0', 'version: 2.7.0') }, start);
    expect(names(r)).toEqual(['web']);
    expect(r.stacks[0]!.reasons.map((x) => x.kind)).toEqual(['program', 'package']);
  });

  it('--files: a lockfile without a base to compare with affects every stack', async () => {
    const repo = await createGitRepo(files());
    repos.push(repo);
    const layout = layoutAt(repo.dir);
    const r = computeAffectedFromFiles({ layout, catalog: await loadStacks(layout), files: ['package-lock.json'] });
    expect(names(r)).toEqual(['dns', 'plain', 'web']);
    expect(r.stacks[0]!.reasons).toEqual([{ kind: 'lockfile', path: 'package-lock.json', detail: 'there is no base to compare it with' }]);
  });
});
