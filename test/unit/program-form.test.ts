import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../src/engine/program-forms.js';
import { programForm } from '../../src/program-host/load-program.js';
import { parseStackFile } from '../../src/stacks/parse.js';

describe('the form of a loaded program module (pure)', () => {
  it('a default export function, or a lone `program` function: the function form', () => {
    expect(programForm({ default: () => 1 }, 'index.ts').kind).toBe('function');
    expect(programForm({ program: () => 1 }, 'index.ts').kind).toBe('function');
  });

  it('named exports, an object default (CommonJS), or no export at all: a classic program and its outputs', () => {
    expect(programForm({ url: 'x', program: 3 }, 'index.ts')).toEqual({ kind: 'exports', outputs: { url: 'x', program: 3 } });
    expect(programForm({ default: { a: 1 } }, 'index.ts')).toEqual({ kind: 'exports', outputs: { a: 1 } });
    expect(programForm({}, 'index.ts')).toEqual({ kind: 'exports', outputs: {} });
  });

  it('a default export that is neither: named, with the file', () => {
    expect(programForm({ default: 42 }, 'main.ts')).toEqual({
      kind: 'neither',
      problem: 'main.ts: its default export is neither a function nor an object of outputs',
    });
  });
});

describe('the config a program loads with in validate (pure)', () => {
  it("Pulumi.yaml defaults, then the stack file's values; secrets only as a placeholder, flagged", () => {
    const { definition } = parseStackFile(
      'stacks/web.yaml',
      'web',
      'program: app\nconfig:\n  app:title: hi\n  replicas: 3\n  app:token:\n    secure: v1:abc\nencryptionSalt: v1:x\n',
    );
    const def = {
      ...definition!,
      programProject: {
        program: 'app',
        main: 'index.ts',
        config: { title: 'default', port: { type: 'integer', default: 80 }, bare: { type: 'string' } },
      },
    };
    expect(checkConfig(def)).toEqual({
      config: { 'app:title': 'hi', 'app:port': '80', 'app:replicas': '3', 'app:token': '[secret]' },
      secretKeys: ['app:token'],
    });
  });
});
