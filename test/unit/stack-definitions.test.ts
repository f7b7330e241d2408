import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { inspectStacks, loadStacks } from '../../src/stacks/load.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { program, tempRepo } from '../helpers/temp-repo.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function repo(files: Record<string, string>) {
  const r = await tempRepo({ 'programs/app/index.ts': program, 'programs/base/index.ts': program, ...files });
  disposers.push(r.dispose);
  return r.layout;
}

describe('parseStackFile', () => {
  it('fills defaults: project from the program, stack from the file name, detect-only drift', () => {
    const { definition, diagnostics } = parseStackFile('stacks/web.yaml', 'web', 'program: app\n');
    expect(diagnostics).toEqual([]);
    expect(definition).toMatchObject({
      name: 'web',
      program: 'app',
      project: 'app',
      stack: 'web',
      dependsOn: [],
      config: {},
      drift: { policy: 'detect' },
      allowDestroy: false,
    });
  });

  it('keeps Pulumi config forms unchanged: namespace:key and secure values', () => {
    const text =
      'program: app\nconfig:\n  app:token:\n    secure: v1:abc:def\n  aws:region: eu-west-1\n  app:replicas: 3\nencryptionSalt: v1:salt\n';
    const { definition } = parseStackFile('stacks/web.yaml', 'web', text);
    expect(definition?.config).toEqual({ 'app:token': { secure: 'v1:abc:def' }, 'aws:region': 'eu-west-1', 'app:replicas': 3 });
  });

  it('reports invalid YAML with the file and line', () => {
    const { definition, diagnostics } = parseStackFile('stacks/web.yaml', 'web', 'program: app\nconfig: [unclosed\n');
    expect(definition).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ file: 'stacks/web.yaml', message: expect.stringContaining('invalid YAML') });
    expect(diagnostics[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it('names unknown fields and wrong types with their line', () => {
    const { diagnostics } = parseStackFile('stacks/web.yaml', 'web', 'program: app\nprogramm: typo\ndependsOn: base\n');
    expect(diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'stacks/web.yaml', line: 2, message: 'unknown field "programm"' }),
        expect.objectContaining({ file: 'stacks/web.yaml', line: 3, field: 'dependsOn', message: expect.stringContaining('array') }),
      ]),
    );
  });

  it('rejects a secure value that is not Pulumi ciphertext', () => {
    const { diagnostics } = parseStackFile('stacks/web.yaml', 'web', 'program: app\nconfig:\n  app:token:\n    secure: plaintext\n');
    expect(diagnostics.map((d) => d.field)).toContain('config.app:token.secure');
  });
});

describe('loadStacks', () => {
  it('loads a valid catalogue', async () => {
    const layout = await repo({ 'stacks/base.yaml': 'program: base\n', 'stacks/web.yaml': 'program: app\ndependsOn: [base]\n' });
    const catalog = await loadStacks(layout);
    expect(catalog.stacks.map((s) => s.name)).toEqual(['base', 'web']);
    expect(catalog.byName.get('web')?.dependsOn).toEqual(['base']);
  });

  it('collects every error across every file, naming file and field', async () => {
    const layout = await repo({
      'stacks/a.yaml': 'program: nope\n',
      'stacks/b.yaml': 'program: app\ndependsOn: [ghost]\n',
      'stacks/c.yaml': 'program: app\nextra: 1\n',
      'stacks/d.yaml': 'program: app\nconfig:\n  app:secret:\n    secure: v1:x\n',
    });
    const { diagnostics } = await inspectStacks(layout);
    const lines = diagnostics.map((d) => `${d.file} ${d.field ?? ''} ${d.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stacks\/a\.yaml program unknown program "nope"/),
        expect.stringMatching(/^stacks\/b\.yaml dependsOn\[0\] unknown stack "ghost"/),
        expect.stringMatching(/^stacks\/c\.yaml\s+unknown field "extra"/),
        expect.stringMatching(/^stacks\/d\.yaml encryptionSalt .*app:secret/),
      ]),
    );
    const err = await loadStacks(layout).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect((err as GitopsError).code).toBe('STACK_INVALID');
    expect((err as GitopsError).details).toHaveLength(diagnostics.length);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('rejects a dependency cycle and names it', async () => {
    const layout = await repo({
      'stacks/a.yaml': 'program: app\ndependsOn: [c]\n',
      'stacks/b.yaml': 'program: app\ndependsOn: [a]\n',
      'stacks/c.yaml': 'program: app\ndependsOn: [b]\n',
    });
    const err = (await loadStacks(layout).catch((e: unknown) => e)) as GitopsError;
    expect(err.code).toBe('DEPENDENCY_CYCLE');
    expect(err.details.join('\n')).toContain('dependency cycle: a -> c -> b -> a');
    expect(exitCodeFor(err)).toBe(2);
  });

  it('rejects two files that claim the same Pulumi stack', async () => {
    const layout = await repo({ 'stacks/one.yaml': 'program: app\nstack: prod\n', 'stacks/two.yaml': 'program: app\nstack: prod\n' });
    const { diagnostics } = await inspectStacks(layout);
    expect(diagnostics).toEqual([
      expect.objectContaining({ file: 'stacks/two.yaml', message: 'Pulumi stack app/prod is also declared by stacks/one.yaml' }),
    ]);
  });

  it('rejects a stack file name that is not a stack id', async () => {
    const layout = await repo({ 'stacks/Bad Name.yaml': 'program: app\n' });
    const { diagnostics } = await inspectStacks(layout);
    expect(diagnostics[0]).toMatchObject({ file: 'stacks/Bad Name.yaml', message: expect.stringContaining('not a valid stack id') });
  });
});
