import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readProgramProject } from '../../src/stacks/program-project.js';

describe('readProgramProject: what a program folder says about itself', () => {
  let dir: string;
  const write = async (rel: string, text: string) => {
    await mkdir(path.dirname(path.join(dir, 'app', rel)), { recursive: true });
    await writeFile(path.join(dir, 'app', rel), text);
  };
  const read = () => readProgramProject(dir, 'app', 'programs');
  const problem = () => {
    const r = read();
    expect(Array.isArray(r)).toBe(true);
    return (r as { file: string; message: string }[])[0]!;
  };
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-program-project-'));
    await mkdir(path.join(dir, 'app'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a folder with only an index.ts is a program with that entry; one with nothing is none', async () => {
    expect(read()).toEqual([]);
    await write('index.ts', 'export default () => ({});\n');
    expect(read()).toEqual({ program: 'app', main: 'index.ts' });
  });

  it('takes name, main (a file or a folder with an index) and config from Pulumi.yaml', async () => {
    await write('lib/main.js', '');
    await write('Pulumi.yaml', 'name: old-infra\nruntime: nodejs\nmain: lib/main.js\nconfig:\n  size: { default: 3 }\n');
    expect(read()).toEqual({ program: 'app', main: 'lib/main.js', name: 'old-infra', config: { size: { default: 3 } } });
    await write('src/index.js', '');
    await write('Pulumi.yaml', 'name: old-infra\nruntime: { name: nodejs, options: { typescript: false } }\nmain: src\n');
    expect(read()).toMatchObject({ main: 'src/index.js' });
  });

  it('refuses what cannot run, naming the file and the cause', async () => {
    await write('index.ts', '');
    const cases: [string, RegExp][] = [
      ['name: [a\n', /not valid YAML/],
      ['- a\n', /is a mapping/],
      ['name: x\nruntime: python\n', /runtime "python": only Node.js/],
      ['name: "has space"\n', /name: a Pulumi project name/],
      ['name: x\nmain: ../other\n', /outside the program folder/],
      ['name: x\nmain: /etc/passwd\n', /outside the program folder/],
      ['name: x\nmain: missing.ts\n', /"missing.ts" does not exist/],
      ['name: x\nconfig: [1, 2]\n', /config: a mapping/],
    ];
    for (const [text, message] of cases) {
      await write('Pulumi.yaml', text);
      const p = problem();
      expect(p.file).toBe('programs/app/Pulumi.yaml');
      expect(p.message).toMatch(message);
    }
  });
});
