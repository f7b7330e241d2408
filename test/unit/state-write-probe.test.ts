import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { probeStateWrite } from '../../src/state-lock/write-probe.js';

/** The write probe a merge request job runs against the state: it must find out, and leave nothing behind. */
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('state write probe', () => {
  it('finds a writable file backend, names where it wrote, and removes its object', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-probe-'));
    dirs.push(dir);
    const probe = await probeStateWrite(`file://${dir}`);
    expect(probe).toMatchObject({ writable: true, where: expect.stringContaining('gitops-write-probe') });
    expect(await readdir(path.join(dir, '.gitops', 'locks', 'gitops-write-probe'))).toEqual([]);
  });

  it('a file backend that cannot be written is not writable, with why', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-probe-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'a-file'), 'not a folder\n');
    const probe = await probeStateWrite(`file://${path.join(dir, 'a-file')}`);
    expect(probe).toMatchObject({ writable: false, why: expect.any(String) });
  });

  it('says nothing for a backend it cannot probe', async () => {
    expect(await probeStateWrite('https://api.pulumi.com')).toEqual({ writable: undefined });
  });
});
