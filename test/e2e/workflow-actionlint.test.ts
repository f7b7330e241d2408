import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciFilesRepo, ensureActionlint, runTool } from '../helpers/ci-tools.js';

// In the e2e tier, not the unit tier: actionlint is built from the Go module proxy the first time
// (about 15 s with a warm module cache), which the unit tier forbids (GITOPS_NO_TOOLCHAIN=1, empty HOME).

/**
 * actionlint 1.7.12 (2026-03-30) predates GitHub's `concurrency.queue` (2026-05-07), which the
 * deploy job needs so that queued deploys are never cancelled. Only that one message is ignored.
 */
const knownNewerThanActionlint = ['unexpected key "queue" for "concurrency" section'];

let actionlint: string;
let repo: Awaited<ReturnType<typeof ciFilesRepo>>;
beforeAll(async () => {
  actionlint = await ensureActionlint(process.env, (line) => void process.stderr.write(`[ci-tools] ${line}\n`));
  repo = await ciFilesRepo();
}, 600_000);
afterAll(async () => {
  await repo.dispose();
});

function lint(file: string): ReturnType<typeof runTool> {
  return runTool(actionlint, ['-no-color', ...knownNewerThanActionlint.flatMap((m) => ['-ignore', m]), file], repo.root);
}

describe('.github/workflows/gitops.yml under actionlint', () => {
  it('has no finding', async () => {
    const run = await lint('.github/workflows/gitops.yml');
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.code).toBe(0);
  });

  it('reports a broken workflow (the check is live)', async () => {
    const file = path.join(repo.root, '.github/workflows/gitops.yml');
    const good = await readFile(file, 'utf8');
    try {
      await writeFile(file, good.replace('permissions:\n  contents: read\n', 'permissions:\n  contents: reed\n'));
      const run = await lint('.github/workflows/gitops.yml');
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('"reed" is invalid as permission of scope "contents"');
    } finally {
      await writeFile(file, good);
    }
  });
});
