import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import config, { tierFolders } from '../../vitest.config.js';

const testRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Project {
  test: { name: string; include: string[]; globalSetup?: string[]; env?: Record<string, string> };
}
const projects = (config.test?.projects ?? []) as Project[];
const project = (name: string): Project['test'] => projects.find((p) => p.test.name === name)!.test;

describe('test tiers', () => {
  it('put every test file in exactly one tier, so none is silently left out of `npm test`', () => {
    const files = readdirSync(testRoot, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts'));
    expect(files.length).toBeGreaterThan(10);
    const tierOf = (file: string): string[] =>
      Object.entries(tierFolders)
        .filter(([, folders]) => (folders as readonly string[]).includes(file.split(path.sep)[0]!))
        .map(([tier]) => tier);
    const misplaced = files.filter((f) => tierOf(f).length !== 1);
    expect(misplaced).toEqual([]);
  });

  it('give the unit tier no global setup, and forbid it the toolchain', () => {
    expect(project('unit').globalSetup).toBeUndefined();
    expect(project('unit').env).toEqual({ GITOPS_NO_TOOLCHAIN: '1' });
    expect(process.env.GITOPS_NO_TOOLCHAIN).toBe('1');
  });
});
