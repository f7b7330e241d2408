import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ensureCiCommands, safeJobName } from '../helpers/gitlab-ci-local.js';

it('the GitLab template jobs test fails naming the commands it misses when apt-get may not install them', async () => {
  const empty = await mkdtemp(path.join(os.tmpdir(), 'gitops-no-commands-'));
  const log: string[] = [];
  try {
    await expect(ensureCiCommands({ PATH: empty, GITOPS_NO_APT: '1' }, (line) => void log.push(line))).rejects.toThrow(
      /^rsync, curl, zip, unzip not installed, .* Install them \(Debian: apt-get install rsync curl zip unzip\) and run again\.$/,
    );
    expect(log).toEqual([]);
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
});

it("names a job's folders as gitlab-ci-local does (a parallel job's suffix base64url-encoded)", () => {
  expect(safeJobName('deploy')).toBe('deploy');
  expect(safeJobName('drift: [1/4]')).toBe('driftOiBb1Lw4XQ');
});
