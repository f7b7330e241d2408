import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { loadStacks } from '../../src/stacks/load.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { program, tempRepo } from '../helpers/temp-repo.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

const parse = (text: string, name = 'web') => parseStackFile(`stacks/${name}.yaml`, name, text);

describe('project and stack names are refused unless Pulumi and the state backend can use them', () => {
  it.each([
    { label: '..', value: '..', message: '"." and ".." are folder names, not project names' },
    { label: '.', value: '.', message: '"." and ".." are folder names, not project names' },
    { label: 'team/app', value: 'team/app', message: 'no "/" or other path characters' },
    { label: '..\\app', value: '..\\app', message: 'no "/" or other path characters' },
    { label: 'with a space', value: 'app name', message: 'no "/" or other path characters' },
    { label: 'of 101 characters', value: 'x'.repeat(101), message: 'at most 100 characters' },
  ])('project $label: file, line and field named', ({ value, message }) => {
    const { definition, diagnostics } = parse(`program: app\nproject: ${JSON.stringify(value)}\n`);
    expect(definition).toBeUndefined();
    expect(diagnostics).toEqual([{ file: 'stacks/web.yaml', line: 2, field: 'project', message: expect.stringContaining(message) }]);
  });

  it.each([
    ['..', '"." and ".." are folder names, not stack names'],
    ['.', '"." and ".." are folder names, not stack names'],
    ['../prod', 'no "/" or other path characters'],
    ['prod:eu', 'no "/" or other path characters'],
  ])('stack %s: file, line and field named', (value, message) => {
    const { diagnostics } = parse(`# a comment\nprogram: app\nstack: ${JSON.stringify(value)}\n`);
    expect(diagnostics).toEqual([{ file: 'stacks/web.yaml', line: 3, field: 'stack', message: expect.stringContaining(message) }]);
  });

  it('names Pulumi allows are kept: dots inside, 100 characters', () => {
    const long = `a.${'b'.repeat(98)}`;
    const { definition, diagnostics } = parse(`program: app\nproject: ${long}\nstack: prod.eu_1-a\n`);
    expect(diagnostics).toEqual([]);
    expect(definition).toMatchObject({ project: long, stack: 'prod.eu_1-a' });
  });

  it('a file name longer than a stack name may be: the defaulted stack name is refused, naming the field', () => {
    const name = 's'.repeat(101);
    expect(parse('program: app\n', name).diagnostics).toEqual([
      { file: `stacks/${name}.yaml`, field: 'stack', message: expect.stringContaining('longer than the 100 characters Pulumi allows') },
    ]);
    expect(parse(`program: app\nstack: short\n`, name).diagnostics).toEqual([]);
  });

  it('a catalogue with project ".." does not load: STACK_INVALID, exit 2, the file:line named', async () => {
    const repo = await tempRepo({ 'programs/app/index.ts': program, 'stacks/web.yaml': 'program: app\nproject: ".."\n' });
    disposers.push(repo.dispose);
    const err = (await loadStacks(repo.layout).catch((e: unknown) => e)) as GitopsError;
    expect(err.code).toBe('STACK_INVALID');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.details).toEqual(['stacks/web.yaml:2: project: "." and ".." are folder names, not project names']);
  });
});
