import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The layer rules `npm run lint` checks (.dependency-cruiser.cjs), run on small source trees. */
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as IConfiguration;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'layers-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Writes `files` (path under src/ -> what it imports) into a fresh tree and cruises it. */
async function violations(name: string, files: Record<string, string[]>): Promise<string[]> {
  const root = path.join(dir, name);
  for (const [file, imports] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, 'src', file)), { recursive: true });
    const lines = imports.map((to, i) => `import { v as v${i} } from '${to}';\nexport const use${i} = v${i};`);
    await writeFile(path.join(root, 'src', file), `${lines.join('\n')}\nexport const v = 1;\n`);
  }
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const result = (await cruise(['src'], { ruleSet: { forbidden: config.forbidden }, validate: true, tsPreCompilationDeps: true }))
      .output as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('the layer rules of src/', () => {
  it('pass an import that points down', async () => {
    expect(await violations('down', { 'engine/a.ts': ['../stacks/b'], 'stacks/b.ts': [] })).toEqual([]);
  });

  it('fail an import that points up: the engine importing a renderer', async () => {
    expect(await violations('up', { 'engine/a.ts': ['../report/b'], 'report/b.ts': [] })).toEqual([
      'layer-engine: src/engine/a.ts -> src/report/b.ts',
    ]);
  });

  it('fail a cycle between folders, and between modules', async () => {
    const found = await violations('cycle', { 'stacks/a.ts': ['../drift/b'], 'drift/b.ts': ['../stacks/a'] });
    expect(found).toContain('layer-stacks: src/stacks/a.ts -> src/drift/b.ts');
    expect(found.some((v) => v.startsWith('no-circular: '))).toBe(true);
  });

  it('fail the CLI reaching past actions, renderers, errors and lib; the types of results pass', async () => {
    const found = await violations('cli', {
      'cli/a.ts': ['../engine/b', '../merge-request/d', '../stacks/e', '../actions/c', '../report/f', '../errors/g', '../lib/h'],
      'cli/types.ts': [],
      'engine/b.ts': [],
      'merge-request/d.ts': [],
      'stacks/e.ts': [],
      'actions/c.ts': ['../engine/b', '../merge-request/d'],
      'report/f.ts': [],
      'errors/g.ts': [],
      'lib/h.ts': [],
    });
    expect(found).toEqual([
      'cli-through-actions: src/cli/a.ts -> src/engine/b.ts',
      'cli-through-actions: src/cli/a.ts -> src/merge-request/d.ts',
      'cli-through-actions: src/cli/a.ts -> src/stacks/e.ts',
    ]);
  });

  it('pass the CLI naming a type from below (a type-only import upward still fails)', async () => {
    const root = path.join(dir, 'cli-type', 'src');
    const files: Record<string, string> = {
      'cli/a.ts': "import type { V } from '../engine/b';\nexport type W = V;\n",
      'engine/b.ts': "import type { X } from '../merge-request/c';\nexport type V = X;\n",
      'merge-request/c.ts': 'export type X = number;\n',
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
    expect(await violations('cli-type', {})).toEqual(['layer-engine: src/engine/b.ts -> src/merge-request/c.ts']);
  });

  it('fail a folder that is not a layer', async () => {
    expect(await violations('unknown', { 'misc/a.ts': ['../errors/b'], 'errors/b.ts': [] })).toEqual([
      'layer-unknown: src/misc/a.ts -> src/errors/b.ts',
    ]);
  });
});
