import { describe, expect, it } from 'vitest';
import { defaultStackFileLimits } from '../../src/stacks/limits.js';
import { parseStackFile } from '../../src/stacks/parse.js';

const parse = (text: string) => parseStackFile('stacks/web.yaml', 'web', text);

/** A stack file with `keys` config entries of 84 bytes each: 60,000 make 5 MB. */
function manyKeys(keys: number, extra = ''): string {
  const lines = ['program: app', 'config:'];
  for (let i = 0; i < keys; i++) lines.push(`  app:key${String(i).padStart(6, '0')}: "${'x'.repeat(64)}"`);
  return `${lines.join('\n')}\n${extra}`;
}

// How fast these run is measured by `npm run bench -- stack-files`, not asserted here.
describe('duplicate keys are caught, by one set per map', () => {
  it('a repeated top-level field: its line and the key', () => {
    expect(parse('program: app\ndescription: a\nprogram: other\n').diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 3, message: 'invalid YAML: duplicate key "program"' },
    ]);
  });

  it('a repeated config key: its line, the map it is in, and every repeat', () => {
    const text = 'program: app\nconfig:\n  app:a: 1\n  app:b: 2\n  app:a: 3\n  app:b: 4\n';
    expect(parse(text).diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 5, field: 'config', message: 'invalid YAML: duplicate key "app:a"' },
      { file: 'stacks/web.yaml', line: 6, field: 'config', message: 'invalid YAML: duplicate key "app:b"' },
    ]);
  });

  it('keys that collide once read (1 and "1") count as repeats; the same key in different maps does not', () => {
    expect(parse('program: app\nconfig:\n  app:m:\n    1: a\n    "1": b\n').diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: 5, field: 'config.app:m', message: 'invalid YAML: duplicate key "1"' },
    ]);
    expect(parse('program: app\nconfig:\n  app:m: {x: 1}\n  app:n: {x: 2}\n').diagnostics).toEqual([]);
  });

  it('a 5 MB file of 60,000 keys is refused for its size, before it is parsed', () => {
    const text = manyKeys(60_000);
    expect(Buffer.byteLength(text)).toBeGreaterThan(5_000_000);
    expect(parse(text).diagnostics).toEqual([
      { file: 'stacks/web.yaml', message: `the file is ${text.length} bytes; stack files are limited to 256 KiB (maxBytes)` },
    ]);
  });

  it('with the size limit raised, the same file validates', () => {
    const text = manyKeys(60_000);
    const value = parseStackFile('stacks/web.yaml', 'web', text, { ...defaultStackFileLimits, maxBytes: 10_000_000 });
    expect(value.diagnostics).toEqual([]);
    expect(Object.keys(value.definition!.config)).toHaveLength(60_000);
  });

  it('a file just under the size limit, with a duplicate as its last key, takes the full parser and names the line', () => {
    const keys = Math.floor((defaultStackFileLimits.maxBytes - 100) / 84);
    const text = manyKeys(keys, '  app:key000007: again\n');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(defaultStackFileLimits.maxBytes);
    expect(parse(text).diagnostics).toEqual([
      { file: 'stacks/web.yaml', line: keys + 3, field: 'config', message: 'invalid YAML: duplicate key "app:key000007"' },
    ]);
  });
});
