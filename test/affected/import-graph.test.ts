import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportGraph } from '../../src/affected/import-graph.js';
import { parseImports, readTarget, scanSource } from '../../src/affected/import-scan.js';
import { fileSource, type ModuleSource } from '../../src/affected/module-source.js';
import { writeTree } from '../helpers/git-repo.js';

describe('parseImports', () => {
  it('finds every import form with a literal specifier', () => {
    const text = [
      "import * as pulumi from '@pulumi/pulumi';",
      'import def, { a,',
      '  b } from "./multi-line.js";',
      "import type { T } from './types.js';",
      "import './side-effect.js';",
      "export * from './re-all.js';",
      "export { x as y } from './re-named.js';",
      "export * as ns from './re-ns.js';",
      "const lazy = await import('./dynamic.js');",
      'const tpl = await import(`./template.js`);',
      "const cjs = require('./required.cjs');",
      "import fs = require('./ts-require');",
      "const again = import('./dynamic.js');",
    ].join('\n');
    expect(parseImports("export { only } from './re-export-only.js';")).toEqual(['./re-export-only.js']);
    expect(parseImports('export const none = 1;')).toEqual([]);
    expect(parseImports(text)).toEqual([
      '@pulumi/pulumi',
      './multi-line.js',
      './types.js',
      './side-effect.js',
      './re-all.js',
      './re-named.js',
      './re-ns.js',
      './dynamic.js',
      './template.js',
      './required.cjs',
      './ts-require',
    ]);
  });

  it('ignores comments, strings and computed specifiers', () => {
    const text = [
      "// import './commented.js';",
      "/* export * from './block.js'; */",
      'const s = "import x from \'./in-string.js\'";',
      "const t = 'from \\'./escaped.js\\'';",
      "const u = `import('./in-template.js')`;",
      'const name = "x"; await import(`./${name}.js`);',
      "const url = 'http://example.com/a'; import { ok } from './after-url.js';",
    ].join('\n');
    expect(parseImports(text)).toEqual(['./after-url.js']);
  });
});

describe('scanSource', () => {
  it('tells require() from import, and finds literal reads through new URL and readFile(Sync)', () => {
    const text = [
      "import { a } from './a.js';",
      "const b = require('./b.cjs');",
      "const values = readFileSync(new URL('../../data/values.json', import.meta.url), 'utf8');",
      'const chart = new URL(`../../charts/api/`, import.meta.url);',
      "const policy = await fs.readFile('policies/deny.rego', 'utf8');",
      'const sync = readFileSync("config/app.yaml");',
      'const computed = readFileSync(path.join(dir, name));',
      "// readFileSync('commented.json')",
    ].join('\n');
    const scan = scanSource(text);
    expect(scan.imports).toEqual([
      { specifier: './a.js', kind: 'import' },
      { specifier: './b.cjs', kind: 'require' },
    ]);
    expect(scan.reads).toEqual([
      { literal: '../../data/values.json', how: 'url' },
      { literal: '../../charts/api/', how: 'url' },
      { literal: 'policies/deny.rego', how: 'fs' },
      { literal: 'config/app.yaml', how: 'fs' },
    ]);
  });

  it('makes reads repository paths: URLs from the file, fs paths from the root, nothing outside', () => {
    expect(readTarget('programs/web/index.ts', { literal: '../../data/values.json', how: 'url' })).toBe('data/values.json');
    expect(readTarget('programs/web/index.ts', { literal: './chart/', how: 'url' })).toBe('programs/web/chart');
    expect(readTarget('programs/web/index.ts', { literal: './policies/deny.rego', how: 'fs' })).toBe('policies/deny.rego');
    expect(readTarget('programs/web/index.ts', { literal: '../../../outside.json', how: 'url' })).toBeUndefined();
    expect(readTarget('programs/web/index.ts', { literal: '/etc/hosts', how: 'fs' })).toBeUndefined();
    expect(readTarget('programs/web/index.ts', { literal: 'https://example.com/x', how: 'url' })).toBeUndefined();
  });
});

/** A source that counts reads, to check the graph reads only what programs reach, once. */
function countingSource(root: string): { source: ModuleSource; reads: Map<string, number> } {
  const inner = fileSource(root);
  const reads = new Map<string, number>();
  return {
    reads,
    source: {
      isFile: inner.isFile,
      stat: inner.stat,
      read: (f) => {
        reads.set(f, (reads.get(f) ?? 0) + 1);
        return inner.read(f);
      },
    },
  };
}

describe('ImportGraph', () => {
  const files = {
    'package.json': '{"type":"module"}\n',
    'programs/a/index.ts': "import { x } from '../../lib/x.js';\nimport { y } from '../../lib/y.js';",
    'programs/b/index.ts': "import { y } from '../../lib/y.js';",
    'programs/c/index.ts': "import data from './data.json';",
    'programs/c/data.json': '{"import": "./not-parsed.js"}',
    'lib/x.ts': "export { z } from './z.js';",
    'lib/y.ts': "import { x } from './x.js';\nexport const y = 1;",
    'lib/z.ts': "import { y } from './y.js';\nexport const z = 2;",
    'lib/unreached.ts': "import './x.js';",
  };
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'gitops-graph-'));
    writeTree(root, files);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('reads only the files programs reach, each once, cycles included', () => {
    const { source, reads } = countingSource(root);
    const graph = new ImportGraph({ root, source }).addEntries([
      'programs/a/index.ts',
      'programs/b/index.ts',
      'programs/c/index.ts',
      'programs/missing/index.ts',
    ]);
    expect(graph.step()).toBe(true);
    expect([...reads.keys()].sort()).toEqual([
      'lib/x.ts',
      'lib/y.ts',
      'lib/z.ts',
      'programs/a/index.ts',
      'programs/b/index.ts',
      'programs/c/index.ts',
    ]);
    expect([...reads.values()].every((n) => n === 1)).toBe(true);
    expect(graph.has('programs/c/data.json')).toBe(true);
    expect(graph.has('lib/unreached.ts')).toBe(false);
    expect(graph.has('programs/missing/index.ts')).toBe(false);
    expect(graph.importsOf('lib/x.ts')).toEqual(['lib/z.ts']);
  });

  it('gives, per entry, each changed file it reaches with a shortest import chain', () => {
    const graph = new ImportGraph({ root }).addEntries(['programs/a/index.ts', 'programs/b/index.ts', 'programs/c/index.ts']);
    graph.step();
    const hits = graph.hits(
      ['programs/a/index.ts', 'programs/b/index.ts', 'programs/c/index.ts'],
      ['lib/z.ts', 'programs/c/data.json', 'lib/unreached.ts'],
    );
    expect(hits.get('programs/a/index.ts')).toEqual([
      { path: 'lib/z.ts', kind: 'import', via: ['programs/a/index.ts', 'lib/x.ts', 'lib/z.ts'] },
    ]);
    expect(hits.get('programs/b/index.ts')).toEqual([
      { path: 'lib/z.ts', kind: 'import', via: ['programs/b/index.ts', 'lib/y.ts', 'lib/x.ts', 'lib/z.ts'] },
    ]);
    expect(hits.get('programs/c/index.ts')).toEqual([
      { path: 'programs/c/data.json', kind: 'import', via: ['programs/c/index.ts', 'programs/c/data.json'] },
    ]);
  });

  it('builds in slices that yield, and stops when aborted', async () => {
    const many: Record<string, string> = { 'programs/p/index.ts': "import './m0.js';" };
    for (let i = 0; i < 2000; i++) many[`programs/p/m${i}.ts`] = `import './m${i + 1}.js';\n`.repeat(5);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-graph-many-'));
    try {
      writeTree(dir, many);
      const full = await new ImportGraph({ root: dir }).addEntries(['programs/p/index.ts']).build();
      expect(full.size).toBe(2001);
      const stop = new AbortController();
      stop.abort();
      const partial = await new ImportGraph({ root: dir }).addEntries(['programs/p/index.ts']).build(stop.signal);
      expect(partial.size).toBe(1);
      expect(partial.step()).toBe(true);
      expect(partial.size).toBe(2001);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fileSource', () => {
  it('reads files of any size, lists folders once, and tells files from folders', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-source-'));
    try {
      const big = `${'// filler line of a large generated module\n'.repeat(3000)}import { tail } from './tail.js';\n`;
      writeTree(dir, { 'programs/p/index.ts': big, 'programs/p/tail.ts': 'export const tail = 1;\n', 'programs/p/sub/index.ts': '' });
      const source = fileSource(dir);
      expect(big.length).toBeGreaterThan(1 << 16);
      expect(source.read('programs/p/index.ts')).toBe(big);
      expect(source.read('programs/p/missing.ts')).toBeUndefined();
      // Read once: the StackReference scan after the graph costs no second read.
      writeTree(dir, { 'programs/p/index.ts': 'changed on disk' });
      expect(source.read('programs/p/index.ts')).toBe(big);
      expect(source.isFile('programs/p/tail.ts')).toBe(true);
      expect(source.isFile('programs/p/sub')).toBe(false);
      const graph = new ImportGraph({ root: dir, source }).addEntries(['programs/p/index.ts']);
      graph.step();
      expect(graph.importsOf('programs/p/index.ts')).toEqual(['programs/p/tail.ts']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
