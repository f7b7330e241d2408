import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Programs written for Pulumi's own Node host run unchanged: top-level code registers the
 * resources, and the module's exports are the stack outputs, readable by `gitops outputs` and by
 * a StackReference from another stack. Each run has a fresh module instance (its own process), so
 * the top-level code runs for every preview and deploy, not once per driver.
 */
const classic = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

const config = new pulumi.Config();
const file = new LocalFile('index', { path: demoDir(pulumi.getStack()) + '/index.html', content: config.require('title') });
export const url = pulumi.interpolate\`file://\${file.path}\`;
export const title = config.require('title');
`;

const reader = `import * as pulumi from '@pulumi/pulumi';
const ref = new pulumi.StackReference('organization/classic/classic');
export const seen = ref.getOutput('title');
`;

describe('classic Pulumi programs', () => {
  let box: Sandbox;

  beforeAll(async () => {
    box = await createSandbox({
      stacks: {
        classic: 'program: classic\nconfig:\n  classic:title: hello\n',
        reader: 'program: reader\ndependsOn: [classic]\n',
      },
    });
    await box.write('programs/classic/index.ts', classic);
    await box.write('programs/reader/index.ts', reader);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('deploys, with its exports as outputs, readable by gitops outputs and a StackReference', async () => {
    const deploy = await box.run(['deploy', '--all']);
    expect(deploy.code, deploy.stderr).toBe(0);
    const outputs = await box.run(['outputs', '--stack', 'classic', '--json']);
    expect(outputs.code, outputs.stderr).toBe(0);
    expect(JSON.parse(outputs.stdout)).toMatchObject({
      outputs: { title: 'hello', url: expect.stringMatching(/^file:\/\/.*index\.html$/) },
    });
    const read = await box.run(['outputs', '--stack', 'reader', '--json']);
    expect(JSON.parse(read.stdout)).toMatchObject({ outputs: { seen: 'hello' } });
  });

  it('runs its top-level code again for every operation: a changed config previews as an update', async () => {
    await box.write('stacks/classic.yaml', 'program: classic\nconfig:\n  classic:title: changed\n');
    const preview = await box.run(['preview', '--stack', 'classic', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({ stacks: [{ name: 'classic', changes: { update: 1 } }] });
  });
});
