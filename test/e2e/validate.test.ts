import { existsSync } from 'node:fs';
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
});
