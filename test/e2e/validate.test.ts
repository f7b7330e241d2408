import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const boxes: Sandbox[] = [];
afterEach(async () => {
  while (boxes.length) await boxes.pop()!.dispose();
});

async function sandbox(stacks: Record<string, string>): Promise<Sandbox> {
  const box = await createSandbox({ stacks, keepStacks: true });
  boxes.push(box);
  return box;
}

describe('gitops validate', () => {
  it('reports every problem of every stack file in one run, each naming its file, exit 2, nothing written', async () => {
    const box = await sandbox({
      typo: 'program: local-base\nprogramm: x\ndependsOn: 3\ndrift:\n  policy: sometimes\n',
      broken: 'program: local-base\nconfig: [oops\n',
      refused: 'program: nowhere\ndependsOn: [ghost]\ndescription: 5\n',
      leans: 'program: local-base\ndependsOn: [refused, phantom]\n',
    });
    const r = await box.run(['validate']);
    expect(r.code).toBe(2);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  stacks/'));
    expect(listed).toEqual([
      expect.stringMatching(/^ {2}stacks\/broken\.yaml:3: invalid YAML: /),
      '  stacks/leans.yaml: dependsOn[1]: unknown stack "phantom": there is no stacks/phantom.yaml',
      '  stacks/refused.yaml:3: description: Invalid input: expected string, received number',
      '  stacks/refused.yaml: program: unknown program "nowhere": there is no program folder programs/nowhere with an index.ts, index.js or Pulumi.yaml',
      '  stacks/refused.yaml: dependsOn[0]: unknown stack "ghost": there is no stacks/ghost.yaml',
      '  stacks/typo.yaml:2: unknown field "programm"',
      '  stacks/typo.yaml:3: dependsOn: Invalid input: expected array, received number',
      '  stacks/typo.yaml:5: drift.policy: Invalid option: expected one of "detect"|"remediate"',
    ]);
    expect(r.stderr).toContain(`error: ${listed.length} problems in stack definitions`);
    expect(existsSync(path.join(box.root, '.gitops'))).toBe(false);
  });

  it('loads each program in the program host, without the engine: every program that cannot run is named, exit 2', async () => {
    const box = await sandbox({
      'bad-form': 'program: bad-form\n',
      'bad-import': 'program: bad-import\n',
      throws: 'program: throws\n',
      classic: 'program: classic\nconfig:\n  classic:title: hello\n',
    });
    await box.write('programs/bad-form/index.ts', 'export default 42;\n');
    await box.write('programs/bad-import/index.ts', "import { nothing } from './no-such-file.js';\nexport default async () => nothing;\n");
    await box.write('programs/throws/index.ts', "throw new Error('the program refuses to load');\n");
    // A classic program: top-level resources and exports. It records which process loaded it.
    await box.write(
      'programs/classic/index.ts',
      [
        "import { writeFileSync } from 'node:fs';",
        "import * as pulumi from '@pulumi/pulumi';",
        "import { demoDir, LocalFile } from '../shared/local-file.js';",
        "const title = new pulumi.Config().require('title');",
        "const file = new LocalFile('page', { path: demoDir(pulumi.getStack()) + '/page.html', content: title });",
        "writeFileSync(process.env.TMPDIR + '/loaded-by', process.argv[1] + '\\n' + pulumi.getStack());",
        'export const path = file.path;',
        '',
      ].join('\n'),
    );
    // Outside the checkout, which the program host sees read-only.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-validate-test-'));
    boxes.push({ dispose: () => rm(tmp, { recursive: true, force: true }) } as Sandbox);
    const r = await box.run(['validate'], { TMPDIR: tmp });
    expect(r.code, r.stderr).toBe(2);
    const listed = r.stderr.split('\n').filter((l) => l.startsWith('  programs/'));
    expect(listed).toEqual([
      '  programs/bad-form/index.ts: the program bad-form cannot run (loaded as stack bad-form): index.ts: its default export is neither a function nor an object of outputs',
      expect.stringMatching(
        /^ {2}programs\/bad-import\/index\.ts: the program bad-import cannot run \(loaded as stack bad-import\): .*no-such-file/,
      ),
      '  programs/throws/index.ts: the program throws cannot run (loaded as stack throws): the program refuses to load',
    ]);
    // The classic program loaded, in the program host's process, with its stack's config; nothing was created.
    const [script, stack] = (await readFile(path.join(tmp, 'loaded-by'), 'utf8')).split('\n');
    expect(script).toMatch(/program-host\.js$/);
    expect(stack).toBe('classic');
    expect(existsSync(path.join(box.root, '.gitops'))).toBe(false);
    // Fixed, the same repository validates.
    for (const name of ['bad-form', 'bad-import', 'throws']) await box.remove(`stacks/${name}.yaml`);
    const fixed = await box.run(['validate'], { TMPDIR: tmp });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stderr).toContain('stacks valid');
  });
});
