import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { stackJsonSchema } from '../../src/stacks/json-schema.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { repoRoot } from '../helpers/sandbox.js';

describe('drift.ignoreManagers and drift.ignorePaths in stack files', () => {
  it('accepts field manager names and <type>:<path> entries', () => {
    const text = [
      'program: app',
      'drift:',
      '  policy: remediate',
      '  ignoreManagers: [hpa-controller, "kube-controller-manager"]',
      '  ignorePaths:',
      '    - apps/v1/Deployment:spec.replicas',
      '    - \'kubernetes:*:metadata.annotations["example.com/owner"]\'',
      '',
    ].join('\n');
    const { definition, diagnostics } = parseStackFile('stacks/web.yaml', 'web', text);
    expect(diagnostics).toEqual([]);
    expect(definition?.drift).toEqual({
      policy: 'remediate',
      ignoreManagers: ['hpa-controller', 'kube-controller-manager'],
      ignorePaths: ['apps/v1/Deployment:spec.replicas', 'kubernetes:*:metadata.annotations["example.com/owner"]'],
    });
  });

  it('names the file, line and field of each bad entry, and what is wrong with it', () => {
    const text = [
      'program: app',
      'drift:',
      '  ignoreManagers: ["", pulumi-kubernetes-abc123]',
      '  ignorePaths:',
      '    - spec.replicas',
      '    - apps/v1/Deployment:spec.containers[name]',
      '',
    ].join('\n');
    const { definition, diagnostics } = parseStackFile('stacks/web.yaml', 'web', text);
    expect(definition).toBeUndefined();
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          file: 'stacks/web.yaml',
          line: 3,
          field: 'drift.ignoreManagers[0]',
          message: 'a field manager name is not empty',
        }),
        expect.objectContaining({
          file: 'stacks/web.yaml',
          line: 3,
          field: 'drift.ignoreManagers[1]',
          message: expect.stringContaining("provider's own"),
        }),
        expect.objectContaining({
          file: 'stacks/web.yaml',
          line: 5,
          field: 'drift.ignorePaths[0]',
          message: expect.stringContaining('"spec.replicas" is not <type>:<property path>'),
        }),
        expect.objectContaining({
          file: 'stacks/web.yaml',
          line: 6,
          field: 'drift.ignorePaths[1]',
          message: expect.stringContaining('[name]'),
        }),
      ]),
    );
  });

  it('stacks/stack.schema.json is the generated schema (npm run schema), with the new fields', async () => {
    const file = JSON.parse(await readFile(`${repoRoot}/stacks/stack.schema.json`, 'utf8'));
    expect(file).toEqual(JSON.parse(JSON.stringify(stackJsonSchema())));
    expect(Object.keys(file.properties.drift.properties)).toEqual(expect.arrayContaining(['ignoreManagers', 'ignorePaths']));
  });
});
