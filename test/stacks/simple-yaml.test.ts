import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { readSimpleYaml } from '../../src/stacks/simple-yaml.js';
import { repoRoot } from '../helpers/sandbox.js';

/** What the full parser makes of `text`, or undefined when it reports an error. */
function full(text: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  return doc.errors.length > 0 ? undefined : doc.toJS();
}

/** The fast reader either declines or agrees with the full parser exactly. */
function expectAgreement(text: string): void {
  const fast = readSimpleYaml(text);
  if (fast === undefined) return;
  expect({ text, value: fast }).toEqual({ text, value: full(text) });
}

/** A small deterministic generator, so a failure names a reproducible case. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Lines stack files are made of, and lines that look alike but mean something else in YAML. */
const keys = {
  plain: ['program', 'config', 'app:token', 'description', 'aws:region', 'x.y', 'k8s-app:ns/name', '_x'],
  tricky: ['true', 'null', '1', 'a b', 'a:', 'ü', '"q"'],
};
const values = {
  plain: [
    '',
    'app',
    'eu-west-1',
    'Hello from GitOps, again (really)!',
    'v1:JyYOaGggmR0+E/6c:WGdQ6UJ==',
    'https://example.com/x?y=1&z',
    '8080',
    '0',
    '-3',
    'true',
    'false',
    '"quoted # not a comment"',
    "'single'",
    '[a, b]',
    '[]',
    '[1, true, x]',
    'a #c',
    "it's",
    'a"b',
    'x[0]',
    'a{b}',
    'a|b',
    '/path',
    '_x',
    '500m',
    '128Mi',
    'nginx:1.27',
    '3d-model',
    '1.2.3',
    '12:30',
    '1_000',
    '1e',
    '0x',
    '0xZZ',
    '0o8',
    '1e3x',
    '{ cpu: 100m, memory: 128Mi }',
    '{}',
    '{a: 1, b: true}',
    '{ team: web }',
  ],
  tricky: [
    '01',
    '-0',
    '1.5',
    '1e3',
    '0x1F',
    '0o17',
    '.inf',
    '.nan',
    'True',
    'FALSE',
    'null',
    'Null',
    '~',
    'yes',
    'on',
    'a: b',
    'a:',
    'a#c',
    '#c',
    '"a \\n b"',
    '"tab\there"',
    "'it''s'",
    '"a" #c',
    '"a"x',
    '[ ]',
    '[a,]',
    '[a, [b]]',
    '[a: b]',
    '{a: 1}',
    '&x a',
    '*x',
    '- a',
    '| x',
    '> x',
    '!tag x',
    '@x',
    '`x',
    '%x',
    '? x',
    'a  b',
    'a\tb',
    'a ',
    '=x',
    'ü',
    '"" ',
    "''",
    '"#"',
    'a\r',
    'a :b',
    'a,',
    ',a',
    '[a, b',
    'a]',
    'a}',
    '{',
    '-',
    '+1',
    '.5',
    '1.',
    '-1.5e-3',
    '0X1F',
    '1E3',
    '+.inf',
    '-.Inf',
    '.NaN',
    '00',
    '1234567890123456',
    '-',
    '[01, 1.5]',
    '{a: b:c}',
    '{a}',
    '{a: }',
    '{a: 1,}',
    '{a: 1, a: 2}',
    '{a: [1]}',
    '{a: {b: 1}}',
    '{ a : 1 }',
    '{a:1}',
    '{true: 1}',
    '{a: null}',
    '{a: 1.5}',
    '{a: b c}',
  ],
};
const indents = { plain: ['', '', '', '  '], tricky: [' ', '\t', '   ', '      '] };
const extras = ['# comment', '', '   ', '---', '...', '- item', '  # indented comment'];

describe('readSimpleYaml, the fast path for plain stack files', () => {
  it('reads every stack file of this repository, and agrees with the full parser', () => {
    const dirs = [path.join(repoRoot, 'stacks'), path.join(repoRoot, 'examples', 'stacks')];
    const files = dirs.flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => path.join(d, f)),
    );
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, value: readSimpleYaml(text) }).toEqual({ file, value: full(text) });
    }
  });

  it('declines what is outside its subset', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a:\n- 1\n',
      'a: 1\na: 2\n',
      'a: 1.5\n',
      'a: "x\\ny"\n',
      'a: |\n  x\n',
      '---\na: 1\n',
      'a:\tb\n',
      '',
      '# only\n',
    ]) {
      expect({ text, value: readSimpleYaml(text) }).toEqual({ text, value: undefined });
    }
  });

  it('agrees with the full parser on 20,000 generated files of tricky lines', () => {
    const next = random(11);
    const choose = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const pick = <T>(pool: { plain: readonly T[]; tricky: readonly T[] }): T => choose(next() < 0.1 ? pool.tricky : pool.plain);
    let taken = 0;
    for (let n = 0; n < 20_000; n++) {
      const lines: string[] = [];
      const count = 1 + Math.floor(next() * 6);
      for (let i = 0; i < count; i++) {
        if (next() < 0.1) lines.push(choose(extras));
        else {
          const value = pick(values);
          lines.push(`${pick(indents)}${pick(keys)}:${value === '' ? '' : next() < 0.1 ? '   ' : ' '}${value}`);
        }
      }
      const text = `${lines.join(next() < 0.05 ? '\r\n' : '\n')}${next() < 0.9 ? '\n' : ''}`;
      expectAgreement(text);
      if (readSimpleYaml(text) !== undefined) taken++;
    }
    // The generator must exercise the fast path, not only the declines.
    expect(taken).toBeGreaterThan(2000);
  });
});
