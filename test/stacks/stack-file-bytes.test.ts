import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { inspectStacks, loadStacks } from '../../src/stacks/load.js';
import { program, tempRepo } from '../helpers/temp-repo.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function repo(files: Record<string, string>) {
  const r = await tempRepo({ 'programs/web/index.ts': program, ...files });
  disposers.push(r.dispose);
  return r.layout;
}

describe('stack files are files in the repository, in UTF-8', () => {
  it('a symbolic link that leaves the repository is refused naming the file and its target; exit 2', async () => {
    const layout = await repo({ 'stacks/inside.yaml': 'program: web\n' });
    const elsewhere = await mkdtemp(path.join(os.tmpdir(), 'gitops-outside-'));
    disposers.push(() => rm(elsewhere, { recursive: true, force: true }));
    await writeFile(path.join(elsewhere, 'prod.yaml'), 'program: web\nconfig:\n  web:replicas: 9\n');
    await symlink(path.join(elsewhere, 'prod.yaml'), path.join(layout.stacksDir, 'prod.yaml'));
    const { diagnostics, stacks } = await inspectStacks(layout);
    expect(stacks.map((s) => s.name)).toEqual(['inside']);
    expect(diagnostics).toEqual([
      {
        file: 'stacks/prod.yaml',
        message: expect.stringMatching(/^a symbolic link to \S+gitops-outside-\S+\/prod\.yaml, outside the repository: git does not see/),
      },
    ]);
    const err = (await loadStacks(layout).catch((e: unknown) => e)) as GitopsError;
    expect(err.code).toBe('STACK_INVALID');
    expect(exitCodeFor(err)).toBe(2);
  });

  it('a symbolic link to another file of the repository is read as before', async () => {
    const layout = await repo({ 'shared/base.yaml': 'program: web\n' });
    await symlink(path.join(layout.root, 'shared', 'base.yaml'), path.join(layout.stacksDir, 'linked.yaml'));
    const { diagnostics, stacks } = await inspectStacks(layout);
    expect(diagnostics).toEqual([]);
    expect(stacks.map((s) => s.name)).toEqual(['linked']);
  });

  it('bytes that are not UTF-8 are an error naming the file and the offset, never replaced silently', async () => {
    const layout = await repo({});
    const latin1 = Buffer.concat([Buffer.from('program: web\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]);
    await writeFile(path.join(layout.stacksDir, 'latin.yaml'), latin1);
    const { diagnostics, stacks } = await inspectStacks(layout);
    expect(stacks).toEqual([]);
    expect(diagnostics).toEqual([
      { file: 'stacks/latin.yaml', message: 'not valid UTF-8 text (first bad byte at offset 29); save it as UTF-8' },
    ]);
  });
});
