import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { programOf } from '../../src/program-host/load-program.js';

describe('programOf: the forms Pulumi’s Node host runs', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const f = path.join(dir, name);
    await writeFile(f, text);
    return f;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-load-program-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('calls a default-export function; its result is the outputs', async () => {
    const f = await file('default.mjs', 'export default async () => ({ a: 1 });\n');
    expect(await programOf(f)()).toEqual({ a: 1 });
  });

  it('calls the export named program when it is the only one', async () => {
    const f = await file('named.mjs', 'export async function program() { return { b: 2 }; }\n');
    expect(await programOf(f)()).toEqual({ b: 2 });
  });

  it('runs a classic program: top-level code runs as the program runs, exports are the outputs', async () => {
    const f = await file('classic.mjs', 'globalThis.ranAt = Date.now();\nexport const url = "http://x";\nexport const count = 3;\n');
    const program = programOf(f);
    expect((globalThis as { ranAt?: number }).ranAt).toBeUndefined();
    expect(await program()).toEqual({ url: 'http://x', count: 3 });
    expect((globalThis as { ranAt?: number }).ranAt).toBeTypeOf('number');
  });

  it('takes CommonJS module.exports as the outputs', async () => {
    const f = await file('common.cjs', 'module.exports = { c: 3 };\n');
    expect(await programOf(f)()).toEqual({ c: 3 });
  });

  it('refuses a default export that is neither a function nor outputs, naming the file', async () => {
    const f = await file('bad.mjs', 'export default 42;\n');
    await expect(programOf(f)()).rejects.toThrow('bad.mjs: its default export is neither a function nor an object of outputs');
  });
});
