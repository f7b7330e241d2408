import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layoutAt, type RepoLayout } from '../../src/repo/layout.js';

/** A temporary GitOps repository made of the given files (relative path -> text). */
export async function tempRepo(files: Record<string, string>): Promise<{ layout: RepoLayout; dispose(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-unit-'));
  const all = { 'Pulumi.yaml': 'name: test\nruntime: nodejs\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text);
  }
  await mkdir(path.join(root, 'stacks'), { recursive: true });
  return { layout: layoutAt(root), dispose: () => rm(root, { recursive: true, force: true }) };
}

/** A minimal program folder. */
export const program = 'export default async function () {}\n';
