import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { findLayout, layoutAt } from '../../src/repo/layout.js';
import { inspectStacks, loadStacks } from '../../src/stacks/load.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

/** A folder with the given files (relative path -> text); `mkdirs` are created empty. */
async function folder(files: Record<string, string>, mkdirs: string[] = []): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-catalogue-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  for (const d of mkdirs) await mkdir(path.join(root, d), { recursive: true });
  return root;
}

function caught(fn: () => unknown): GitopsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GitopsError);
    return err as GitopsError;
  }
  throw new Error('expected an error');
}

describe('a missing catalogue folder is an error, never an empty catalogue', () => {
  it('--stacks naming a folder that does not exist: USAGE (exit 2), naming the folder', async () => {
    const root = await folder({ 'Pulumi.yaml': 'name: t\n', 'stacks/web.yaml': 'program: app\n' });
    const err = caught(() => findLayout(root, 'stacks/nowhere'));
    expect(err.code).toBe('USAGE');
    expect(err.kind).toBe('user');
    expect(err.message).toBe(`the stack catalogue folder stacks/nowhere does not exist (in ${root})`);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('--stacks naming a file: USAGE, saying it is not a folder', async () => {
    const root = await folder({ 'Pulumi.yaml': 'name: t\n', 'stacks/web.yaml': 'program: app\n' });
    const err = caught(() => findLayout(root, 'stacks/web.yaml'));
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain('the stack catalogue stacks/web.yaml is a file, not a folder of stack files');
  });

  it('a repository with Pulumi.yaml but no stacks/ folder: USAGE naming the folder that lacks it', async () => {
    const root = await folder({ 'Pulumi.yaml': 'name: t\n', 'programs/app/index.ts': 'export default async () => {};\n' });
    const err = caught(() => findLayout(path.join(root, 'programs', 'app')));
    expect(err.code).toBe('USAGE');
    expect(err.message).toBe(`${root} has a Pulumi.yaml but no stacks/ folder, the stack catalogue`);
    expect(exitCodeFor(err)).toBe(2);
  });

  it('loading a catalogue whose folder is missing throws instead of returning no stacks', async () => {
    const root = await folder({ 'Pulumi.yaml': 'name: t\n' });
    const layout = layoutAt(root, 'stacks');
    const fromInspect = await inspectStacks(layout).catch((e: unknown) => e);
    const fromLoad = await loadStacks(layout).catch((e: unknown) => e);
    for (const err of [fromInspect, fromLoad]) {
      expect(err).toBeInstanceOf(GitopsError);
      expect((err as GitopsError).code).toBe('USAGE');
      expect((err as GitopsError).message).toContain('the stack catalogue folder stacks does not exist');
      expect(exitCodeFor(err)).toBe(2);
    }
  });

  it('an existing but empty catalogue folder is still a valid, empty catalogue', async () => {
    const root = await folder({ 'Pulumi.yaml': 'name: t\n' }, ['stacks', 'stacks/none']);
    const layout = findLayout(root, 'stacks/none');
    expect((await loadStacks(layout)).stacks).toEqual([]);
  });
});
