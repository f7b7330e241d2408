import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../../src/actions/validate.js';
import { formatDiagnostic } from '../../src/stacks/diagnostic.js';
import { tempRepo } from '../helpers/temp-repo.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => dispose?.());

/** `validate` over these files: every problem, formatted as the CLI prints it. */
async function problems(files: Record<string, string>): Promise<string[]> {
  const repo = await tempRepo({ 'programs/app/index.ts': 'export default async function () {}\n', ...files });
  dispose = repo.dispose;
  const result = await validate(repo.layout);
  return result.problems.map(formatDiagnostic);
}

describe('validate reports every problem of every file in one run', () => {
  it('every schema error of a file, in line order, beside the errors of the other files', async () => {
    expect(
      await problems({
        'stacks/typo.yaml': 'program: app\nprogramm: x\ndependsOn: 3\ndrift:\n  policy: sometimes\n  maxChanges: -1\n',
        'stacks/broken.yaml': 'program: app\nconfig: [oops\n',
        'stacks/good.yaml': 'program: app\n',
      }),
    ).toEqual([
      expect.stringMatching(/^stacks\/broken\.yaml:3: invalid YAML: /),
      'stacks/typo.yaml:2: unknown field "programm"',
      'stacks/typo.yaml:3: dependsOn: Invalid input: expected array, received number',
      'stacks/typo.yaml:5: drift.policy: Invalid option: expected one of "detect"|"remediate"',
      'stacks/typo.yaml:6: drift.maxChanges: Too small: expected number to be >0',
    ]);
  });

  it("a file the schema refuses still has its program and dependencies checked, and is no other file's unknown stack", async () => {
    expect(
      await problems({
        'stacks/refused.yaml': 'program: nowhere\ndependsOn: [ghost, 7]\ndescription: 5\n',
        'stacks/leans.yaml': 'program: app\ndependsOn: [refused, phantom]\n',
      }),
    ).toEqual([
      'stacks/leans.yaml: dependsOn[1]: unknown stack "phantom": there is no stacks/phantom.yaml',
      'stacks/refused.yaml:2: dependsOn[1]: Invalid input: expected string, received number',
      'stacks/refused.yaml:3: description: Invalid input: expected string, received number',
      'stacks/refused.yaml: program: unknown program "nowhere": there is no program folder programs/nowhere with an index.ts, index.js or Pulumi.yaml',
      'stacks/refused.yaml: dependsOn[0]: unknown stack "ghost": there is no stacks/ghost.yaml',
    ]);
  });
});
