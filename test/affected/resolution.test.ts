import { existsSync, mkdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAffected } from '../../src/affected/affected.js';
import { defaultGraphCache, programEntries } from '../../src/affected/affected-from-changes.js';
import { ImportGraph } from '../../src/affected/import-graph.js';
import type { AffectedReason, AffectedResult } from '../../src/affected/model.js';
import { fileSource, type ModuleSource } from '../../src/affected/module-source.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { describeReason } from '../../src/report/affected-render.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo, stackYaml } from '../helpers/git-repo.js';

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

const base = {
  'Pulumi.yaml': 'name: resolution\nruntime: nodejs\n',
  'package-lock.json': '{"lockfileVersion":3}\n',
  '.gitignore': 'node_modules/\n.gitops/\n',
  'stacks/stack.schema.json': '{}\n',
};

/** A repository with `files` on main, then `change` committed on `feature` (checked out). */
async function scenario(files: Record<string, string>, change: Record<string, string>, setup?: (dir: string) => void): Promise<GitRepo> {
  const repo = await createGitRepo({ ...base, ...files });
  repos.push(repo);
  setup?.(repo.dir);
  await repo.git('checkout', '--quiet', '-b', 'feature');
  await repo.write(change);
  await repo.commit('feature change');
  return repo;
}

async function affected(repo: GitRepo, graph?: (root: string, entries: Iterable<string>) => ImportGraph): Promise<AffectedResult> {
  const layout = layoutAt(repo.dir);
  const catalog = await loadStacks(layout);
  const g = graph?.(layout.root, programEntries(catalog, layout).keys());
  return computeAffected({ layout, catalog, base: 'main', ...(g ? { graph: g } : {}) });
}

const reasonsOf = (r: AffectedResult, name: string): AffectedReason[] | undefined => r.stacks.find((s) => s.name === name)?.reasons;

describe('affected stacks resolve imports like the runtime', () => {
  it('follows a tsconfig paths alias', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext","baseUrl":".","paths":{"@lib/*":["lib/*"]}}}\n',
        'stacks/api.yaml': stackYaml('api'),
        'stacks/other.yaml': stackYaml('other'),
        'programs/api/index.ts': "import { name } from '@lib/naming.js';\nexport default async () => ({ n: name('api') });\n",
        'programs/other/index.ts': 'export default async () => ({});\n',
        'lib/naming.ts': 'export const name = (s: string) => `p-${s}`;\n',
      },
      { 'lib/naming.ts': 'export const name = (s: string) => `q-${s}`;\n' },
    );
    const r = await affected(repo);
    expect(r.stacks.map((s) => s.name)).toEqual(['api']);
    expect(reasonsOf(r, 'api')).toEqual([{ kind: 'import', path: 'lib/naming.ts', via: ['programs/api/index.ts', 'lib/naming.ts'] }]);
  });

  it('follows a package.json imports entry (#shared/*), with no dependsOn to help (the demo case of the issue)', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true,"imports":{"#shared/*":"./programs/shared/*"}}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
        'stacks/demo-base.yaml': stackYaml('local-base'),
        'stacks/demo-web.yaml': stackYaml('local-site'),
        'programs/local-base/index.ts': 'export default async () => ({});\n',
        'programs/local-site/index.ts':
          "import { LocalFile } from '#shared/local-file.js';\nexport default async () => ({ f: LocalFile });\n",
        'programs/shared/local-file.ts': 'export class LocalFile {}\n',
      },
      { 'programs/shared/local-file.ts': 'export class LocalFile { readonly v = 2; }\n' },
    );
    const r = await affected(repo);
    expect(r.stacks.map((s) => s.name)).toEqual(['demo-web']);
    expect(reasonsOf(r, 'demo-web')).toEqual([
      { kind: 'import', path: 'programs/shared/local-file.ts', via: ['programs/local-site/index.ts', 'programs/shared/local-file.ts'] },
    ]);
  });

  it('follows a workspace package linked into node_modules, through its exports', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true,"workspaces":["packages/*"]}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
        'stacks/api.yaml': stackYaml('api'),
        'stacks/other.yaml': stackYaml('other'),
        'programs/api/index.ts': "import { tag } from '@acme/tags';\nexport default async () => ({ t: tag('api') });\n",
        'programs/other/index.ts': "import * as path from 'node:path';\nexport default async () => ({ p: path.sep });\n",
        'packages/tags/package.json': '{"name":"@acme/tags","type":"module","exports":{".":"./src/index.ts"}}\n',
        'packages/tags/src/index.ts': "export { tag } from './tag.js';\n",
        'packages/tags/src/tag.ts': 'export const tag = (s: string) => `team-${s}`;\n',
      },
      { 'packages/tags/src/tag.ts': 'export const tag = (s: string) => `squad-${s}`;\n' },
      // What `npm install` makes of a workspace: a symlink in node_modules to the package folder.
      (dir) => {
        writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\n.gitops/\n');
        mkdirSync(path.join(dir, 'node_modules/@acme'), { recursive: true });
        symlinkSync('../../packages/tags', path.join(dir, 'node_modules/@acme/tags'));
      },
    );
    const r = await affected(repo);
    expect(r.stacks.map((s) => s.name)).toEqual(['api']);
    expect(reasonsOf(r, 'api')).toEqual([
      {
        kind: 'import',
        path: 'packages/tags/src/tag.ts',
        via: ['programs/api/index.ts', 'packages/tags/src/index.ts', 'packages/tags/src/tag.ts'],
      },
    ]);
  });
});

describe('affected stacks follow the files programs read', () => {
  it('a data file read through new URL(..., import.meta.url), from a shared module', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
        'stacks/web.yaml': stackYaml('web'),
        'stacks/other.yaml': stackYaml('other'),
        'programs/web/index.ts': "import { values } from '../shared/values.js';\nexport default async () => values();\n",
        'programs/other/index.ts': 'export default async () => ({});\n',
        'programs/shared/values.ts':
          "import { readFileSync } from 'node:fs';\nexport const values = () => JSON.parse(readFileSync(new URL('../../data/values.json', import.meta.url), 'utf8'));\n",
        'data/values.json': '{"replicas":1}\n',
      },
      { 'data/values.json': '{"replicas":2}\n' },
    );
    const r = await affected(repo);
    expect(r.stacks.map((s) => s.name)).toEqual(['web']);
    const reasons = reasonsOf(r, 'web')!;
    expect(reasons).toEqual([{ kind: 'read', path: 'data/values.json', via: ['programs/web/index.ts', 'programs/shared/values.ts'] }]);
    expect(describeReason(reasons[0]!)).toBe(
      'reads data/values.json, which changed (read by programs/web/index.ts -> programs/shared/values.ts)',
    );
  });

  it('a stack watch glob, naming the pattern and the file', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
        'stacks/api.yaml': `${stackYaml('api')}watch: ['charts/api/**', 'data/*.json']\n`,
        'stacks/other.yaml': stackYaml('api'),
        'programs/api/index.ts': 'export default async () => ({});\n',
        'charts/api/templates/deployment.yaml': 'kind: Deployment\n',
        'charts/web/values.yaml': 'replicas: 1\n',
        'data/limits.json': '{}\n',
        'data/nested/skip.json': '{}\n',
      },
      {
        'charts/api/templates/deployment.yaml': 'kind: Deployment\nspec: {}\n',
        'charts/web/values.yaml': 'replicas: 2\n',
        'data/nested/skip.json': '{"a":1}\n',
      },
    );
    const r = await affected(repo);
    expect(r.stacks.map((s) => s.name)).toEqual(['api']);
    expect(reasonsOf(r, 'api')).toEqual([{ kind: 'watch', path: 'charts/api/templates/deployment.yaml', pattern: 'charts/api/**' }]);
    expect(describeReason(reasonsOf(r, 'api')![0]!)).toBe('watches charts/api/**, and charts/api/templates/deployment.yaml changed');
  });

  it('a watch entry outside the repository is an error naming the file and field', async () => {
    const repo = await createGitRepo({
      ...base,
      'stacks/api.yaml': `${stackYaml('api')}watch: ['../elsewhere/**']\n`,
      'programs/api/index.ts': 'export default async () => ({});\n',
    });
    repos.push(repo);
    const error = await loadStacks(layoutAt(repo.dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitopsError);
    expect((error as GitopsError).details?.join('\n')).toMatch(/stacks\/api\.yaml.*watch.*no "\.\."/);
  });
});

/** Counts reads, to see what a warm cache spares. */
function counting(root: string): { source: ModuleSource; reads: string[] } {
  const inner = fileSource(root);
  const reads: string[] = [];
  return {
    reads,
    source: {
      isFile: inner.isFile,
      stat: inner.stat,
      read: (f) => {
        reads.push(f);
        return inner.read(f);
      },
    },
  };
}

describe('the import graph cache', () => {
  it('is reused between runs, and never wrong: a file changed without changing its mtime is read again', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true}\n',
        'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
        'stacks/web.yaml': stackYaml('web'),
        'programs/web/index.ts': "import { h } from './helper.js';\nexport default async () => ({ h });\n",
        'programs/web/helper.ts': "import { x } from '../../lib/bbb.js';\nexport const h = x;\n",
        'lib/aaa.ts': 'export const x = 1;\n',
        'lib/bbb.ts': 'export const x = 2;\n',
      },
      { 'lib/aaa.ts': 'export const x = 10;\n' },
    );
    const layout = layoutAt(repo.dir);
    const cache = defaultGraphCache(layout);
    // Pretend every file is old, so that stamps are trusted: only the stamp can tell the change apart.
    const graph = (root: string, entries: Iterable<string>, source?: ModuleSource) =>
      new ImportGraph({ root, source, cache, now: () => Date.now() + 60_000 }).addEntries(entries);
    // A whole-second mtime, which utimes can put back exactly.
    const helper = path.join(repo.dir, 'programs/web/helper.ts');
    utimesSync(helper, 1_700_000_000, 1_700_000_000);

    expect((await affected(repo, graph)).stacks).toEqual([]);
    expect(existsSync(path.join(repo.dir, '.gitops/cache/import-graph.json'))).toBe(true);

    const warm = counting(repo.dir);
    expect((await affected(repo, (root, entries) => graph(root, entries, warm.source))).stacks).toEqual([]);
    expect(warm.reads).toEqual([]);

    // Same size, same mtime, other content: now helper.ts imports the changed module.
    const before = statSync(helper);
    writeFileSync(helper, "import { x } from '../../lib/aaa.js';\nexport const h = x;\n");
    utimesSync(helper, 1_700_000_000, 1_700_000_000);
    expect(statSync(helper).size).toBe(before.size);
    expect(statSync(helper).mtimeMs).toBe(before.mtimeMs);

    const after = counting(repo.dir);
    const r = await affected(repo, (root, entries) => graph(root, entries, after.source));
    // The changed file, and the module it newly reaches; nothing else.
    expect(after.reads).toEqual(['programs/web/helper.ts', 'lib/aaa.ts']);
    expect(reasonsOf(r, 'web')).toEqual([
      { kind: 'import', path: 'lib/aaa.ts', via: ['programs/web/index.ts', 'programs/web/helper.ts', 'lib/aaa.ts'] },
    ]);
  });

  it('is dropped when the resolution context changes: a file added next to an import', async () => {
    const repo = await scenario(
      {
        'package.json': '{"type":"module","private":true}\n',
        'stacks/web.yaml': stackYaml('web'),
        'programs/web/index.ts': "import { v } from '../../lib/value.js';\nexport default async () => ({ v });\n",
        'lib/value.js': 'export const v = 1;\n',
      },
      { 'lib/value.ts': 'export const v = 2;\n' },
    );
    // At main, `value.js` resolves to the JavaScript file; the branch adds value.ts, which tsx prefers.
    await repo.git('checkout', '--quiet', 'main');
    expect((await affected(repo)).stacks).toEqual([]);
    await repo.git('checkout', '--quiet', 'feature');
    const r = await affected(repo);
    expect(reasonsOf(r, 'web')).toEqual([{ kind: 'import', path: 'lib/value.ts', via: ['programs/web/index.ts', 'lib/value.ts'] }]);
  });
});
