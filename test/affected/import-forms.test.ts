import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeAffected } from '../../src/affected/affected.js';
import { scanSource } from '../../src/affected/import-scan.js';
import { joinStdinValues } from '../../src/cli/stdin-values.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { readRepoSettings } from '../../src/repo/settings.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo, stackYaml } from '../helpers/git-repo.js';

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

describe('comments between import(/require( and the specifier', () => {
  it('finds the import behind block comments, line comments and webpack magic comments', () => {
    const text = [
      'const a = await import(/* webpackChunkName: "x" */ "../x");',
      'const b = await import(',
      '  // the chart values',
      "  '../y'",
      ');',
      "const c = require(/* c */ 'z');",
      'const d = import(/* one */ /* two */ `./tpl.js` /* after */);',
      "import /* side effect */ './side.js';",
      "export { e } from /* re-export */ './e.js';",
    ].join('\n');
    expect(scanSource(text).imports.map((i) => i.specifier)).toEqual(['../x', '../y', 'z', './tpl.js', './side.js', './e.js']);
  });

  it('a commented-out import is still no import', () => {
    expect(scanSource("// const a = import('../x');\n/* require('y') */\nexport const z = 1;\n").imports).toEqual([]);
  });
});

describe('type-only imports', () => {
  it('marks import type and export type … from, and nothing else', () => {
    const text = [
      "import type { A } from './a.js';",
      "import type * as B from './b.js';",
      "import type C from './c.js';",
      'export type {',
      '  D,',
      "} from './d.js';",
      "import type from './default-called-type.js';",
      "import { type E, f } from './mixed.js';",
    ].join('\n');
    expect(scanSource(text).imports).toEqual([
      { specifier: './a.js', kind: 'import', typeOnly: true },
      { specifier: './b.js', kind: 'import', typeOnly: true },
      { specifier: './c.js', kind: 'import', typeOnly: true },
      { specifier: './d.js', kind: 'import', typeOnly: true },
      { specifier: './default-called-type.js', kind: 'import' },
      { specifier: './mixed.js', kind: 'import' },
    ]);
  });

  const files = (settings: string) => ({
    'Pulumi.yaml': `name: platform\nruntime: nodejs\n${settings}`,
    'package.json': '{"type":"module","private":true}\n',
    'stacks/web.yaml': stackYaml('web'),
    'stacks/api.yaml': stackYaml('api'),
    'programs/web/index.ts':
      "import type { Shape } from '../shared/shape.js';\nconst s: Shape = { n: 1 };\nexport default async () => s;\n",
    'programs/api/index.ts': "import { n } from '../shared/values.js';\nexport default async () => ({ n });\n",
    'programs/shared/shape.ts': "import type { Count } from './values.js';\nexport interface Shape { n: Count }\n",
    'programs/shared/values.ts': 'export type Count = number;\nexport const n = 1;\n',
  });

  async function affectedBy(settings: string, change: Record<string, string>): Promise<string[]> {
    const repo = await createGitRepo(files(settings));
    repos.push(repo);
    await repo.git('checkout', '--quiet', '-b', 'feature');
    await repo.write(change);
    await repo.commit('change');
    const layout = layoutAt(repo.dir);
    const r = await computeAffected({ layout, catalog: await loadStacks(layout), base: 'main' });
    return r.stacks.map((s) => s.name);
  }

  it('count by default, and are left out with gitops.affected.typeImports: false in the root Pulumi.yaml', async () => {
    const change = { 'programs/shared/values.ts': 'export type Count = number;\nexport const n = 2;\n' };
    expect(await affectedBy('', change)).toEqual(['api', 'web']);
    expect(await affectedBy('gitops:\n  affected:\n    typeImports: false\n', change)).toEqual(['api']);
    const typesOnly = { 'programs/shared/shape.ts': 'export interface Shape { n: number; m?: string }\n' };
    expect(await affectedBy('gitops:\n  affected:\n    typeImports: false\n', typesOnly)).toEqual([]);
  });

  it('a setting of the wrong type is refused, naming the file and the key', async () => {
    const repo = await createGitRepo(files('gitops:\n  affected:\n    typeImports: "no"\n'));
    repos.push(repo);
    expect(() => readRepoSettings(repo.dir)).toThrow(GitopsError);
    expect(() => readRepoSettings(repo.dir)).toThrow(/Pulumi\.yaml: gitops\.affected\.typeImports must be true or false, not "no"/);
    expect(readRepoSettings(path.join(repo.dir, 'nowhere'))).toEqual({ typeImports: true });
  });
});

describe('gitops affected --files -', () => {
  it('joins a lone "-" to the option that reads stdin, and nothing else', () => {
    expect(joinStdinValues(['affected', '--files', '-', '--json'])).toEqual(['affected', '--files=-', '--json']);
    expect(joinStdinValues(['affected', '--files', 'a,b'])).toEqual(['affected', '--files', 'a,b']);
    expect(joinStdinValues(['x', '--', '--files', '-'])).toEqual(['x', '--', '--files', '-']);
  });

  it('the real binary reads the changed files from stdin when written with a space', async () => {
    const repo = await createGitRepo({
      'Pulumi.yaml': 'name: platform\nruntime: nodejs\n',
      'stacks/web.yaml': stackYaml('web'),
      'programs/web/index.ts': 'export default async () => ({});\n',
    });
    repos.push(repo);
    const bin = path.join(import.meta.dirname, '../../bin/gitops.js');
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [bin, 'affected', '--files', '-', '--json'], { cwd: repo.dir }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
      child.stdin!.end('programs/web/index.ts\n');
    });
    expect(JSON.parse(out).stacks).toEqual([
      { name: 'web', action: 'update', reasons: [{ kind: 'program', path: 'programs/web/index.ts' }] },
    ]);
  });
});
