import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { defaultStackFileLimits } from '../../src/stacks/limits.js';
import { loadStacks } from '../../src/stacks/load.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { program, tempRepo } from '../helpers/temp-repo.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function loadError(files: Record<string, string>): Promise<GitopsError> {
  const repo = await tempRepo({ 'programs/app/index.ts': program, ...files });
  disposers.push(repo.dispose);
  return (await loadStacks(repo.layout).catch((e: unknown) => e)) as GitopsError;
}

/** "Billion laughs": nine levels of nine aliases each, 9^9 strings once expanded. */
function aliasBomb(): string {
  const lines = ['program: app', 'description: &a lol'];
  const names = 'abcdefghij';
  for (let i = 1; i < 10; i++)
    lines.push(
      `x${i}: &${names[i]} [${Array(9)
        .fill(`*${names[i - 1]}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

const parse = (text: string) => parseStackFile('stacks/web.yaml', 'web', text);

describe('YAML that would exhaust memory or the stack is refused, naming the file and the limit', () => {
  it('an alias bomb: STACK_INVALID (exit 2) naming the file and maxAliasCount, not an INTERNAL error', async () => {
    const err = await loadError({ 'stacks/bomb.yaml': aliasBomb(), 'stacks/fine.yaml': 'program: app\n' });
    expect(err.code).toBe('STACK_INVALID');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.details).toEqual([
      'stacks/bomb.yaml: aliases expand past the limit for stack files (maxAliasCount 100); write the values out instead',
    ]);
  });

  it('a file past the size limit: refused before it is parsed, naming the size and maxBytes', async () => {
    const big = `program: app\ndescription: "${'x'.repeat(defaultStackFileLimits.maxBytes)}"\n`;
    const err = await loadError({ 'stacks/big.yaml': big });
    expect(err.details).toEqual([
      `stacks/big.yaml: the file is ${Buffer.byteLength(big)} bytes; stack files are limited to 256 KiB (maxBytes)`,
    ]);
    expect(parse(big).diagnostics).toEqual([
      { file: 'stacks/web.yaml', message: expect.stringContaining('limited to 256 KiB (maxBytes)') },
    ]);
  });

  it('deep flow nesting (which overflows the parser stack) is refused with its line', () => {
    const text = `program: app\ndescription: x\nconfig:\n  app:deep: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`;
    expect(parse(text).diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 4, message: 'nested deeper than 64 levels, the limit for stack files (maxDepth)' },
    ]);
  });

  it('deep block nesting is refused too', () => {
    const text = `program: app\nconfig:\n  app:deep:\n${'    '}${'- '.repeat(5_000)}x\n`;
    expect(parse(text).diagnostics).toEqual([
      expect.objectContaining({ file: 'stacks/web.yaml', line: 4, message: expect.stringContaining('(maxDepth)') }),
    ]);
  });

  it('nesting within the limit is read', () => {
    const text = `program: app\nconfig:\n  app:deep: ${'['.repeat(60)}1${']'.repeat(60)}\n`;
    const { definition, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(JSON.stringify(definition?.config['app:deep'])).toBe(`${'['.repeat(60)}1${']'.repeat(60)}`);
  });

  it('an alias inside the node it names (a cycle) is refused, not recursed into', () => {
    expect(parse('program: app\nconfig:\n  app:loop: &l [1, *l]\n').diagnostics).toEqual([
      { file: 'stacks/web.yaml', message: 'nested deeper than 64 levels once aliases are expanded, the limit for stack files (maxDepth)' },
    ]);
  });

  it('an alias with no anchor names its line and field', () => {
    expect(parse('program: app\nconfig:\n  app:x: *nope\n').diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 3, field: 'config.app:x', message: 'invalid YAML: alias *nope has no anchor &nope before it' },
    ]);
  });

  it('a second document in the file is refused with its line', () => {
    expect(parse('program: app\n---\nprogram: other\n').diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 2, message: 'invalid YAML: a stack file holds one document, this is a second one' },
    ]);
  });

  it('ordinary anchors and aliases within the limits still work', () => {
    const text = 'program: app\nconfig:\n  app:a: &tags {team: web, tier: front}\n  app:b: *tags\n';
    const { definition, diagnostics } = parse(text);
    expect(diagnostics).toEqual([]);
    expect(definition?.config).toEqual({ 'app:a': { team: 'web', tier: 'front' }, 'app:b': { team: 'web', tier: 'front' } });
  });

  it('the limits can be named per call', () => {
    const text = 'program: app\ndescription: &d hi\nconfig:\n  app:a: *d\n  app:b: *d\n';
    expect(parseStackFile('stacks/web.yaml', 'web', text, { ...defaultStackFileLimits, maxAliasCount: 1 }).diagnostics).toEqual([
      { file: 'stacks/web.yaml', message: expect.stringContaining('(maxAliasCount 1)') },
    ]);
    expect(parseStackFile('stacks/web.yaml', 'web', text, { ...defaultStackFileLimits, maxBytes: 20 }).diagnostics).toEqual([
      { file: 'stacks/web.yaml', message: `the file is ${text.length} bytes; stack files are limited to 20 bytes (maxBytes)` },
    ]);
  });
});
