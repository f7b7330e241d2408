import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * An existing Pulumi project brought as it is: its own Pulumi.yaml names the project (so the
 * stacks' state is where Pulumi always kept it), its entry (`main:` in a sub-folder, in
 * JavaScript) and its config defaults, which a stack file's value overrides.
 */
const projectFile = `name: legacy-infra
runtime:
  name: nodejs
  options:
    typescript: false
description: brought as it is
main: src/
config:
  greeting:
    type: string
    default: hello from Pulumi.yaml
  legacy-infra:audience: everyone
`;

const entry = `const pulumi = require('@pulumi/pulumi');
const config = new pulumi.Config();
exports.greeting = config.require('greeting');
exports.audience = config.require('audience');
exports.project = pulumi.getProject();
`;

describe('a program folder with its own Pulumi.yaml', () => {
  let box: Sandbox;

  beforeAll(async () => {
    box = await createSandbox({
      stacks: {
        'legacy-dev': 'program: legacy\n',
        'legacy-prod': 'program: legacy\nconfig:\n  legacy-infra:greeting: hello from the stack file\n',
      },
    });
    await box.write('programs/legacy/Pulumi.yaml', projectFile);
    await box.write('programs/legacy/package.json', '{"type":"commonjs"}\n');
    await box.write('programs/legacy/src/index.js', entry);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('runs its main, under its project name, with its config defaults and the stack file winning', async () => {
    const deploy = await box.run(['deploy', '--all']);
    expect(deploy.code, deploy.stderr).toBe(0);
    const outputs = async (stack: string) => {
      const run = await box.run(['outputs', '--stack', stack, '--json']);
      expect(run.code, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as { outputs: Record<string, unknown> }).outputs;
    };
    expect(await outputs('legacy-dev')).toEqual({ greeting: 'hello from Pulumi.yaml', audience: 'everyone', project: 'legacy-infra' });
    expect(await outputs('legacy-prod')).toMatchObject({ greeting: 'hello from the stack file', project: 'legacy-infra' });
    // The state is where Pulumi keeps a stack of that project.
    expect(existsSync(path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks', 'legacy-infra', 'legacy-dev.json'))).toBe(true);
  });

  it('refuses a Pulumi.yaml whose main leaves the program folder, naming the file (exit 2)', async () => {
    await box.write('programs/legacy/Pulumi.yaml', projectFile.replace('main: src/', 'main: ../../stacks/'));
    const validate = await box.run(['validate']);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain('programs/legacy/Pulumi.yaml');
    expect(validate.stderr).toContain('outside the program folder');
    const preview = await box.run(['preview', '--stack', 'legacy-dev']);
    expect(preview.code).toBe(2);
    await box.write('programs/legacy/Pulumi.yaml', projectFile);
  });
});
