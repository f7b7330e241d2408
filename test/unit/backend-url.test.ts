import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveBackendUrl } from '../../src/backend/backend-url.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function repoWith(pulumiYaml?: string) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'gitops-backend-'));
  dirs.push(root);
  if (pulumiYaml !== undefined) await writeFile(path.join(root, 'Pulumi.yaml'), pulumiYaml);
  return layoutAt(root);
}

function refusal(run: () => unknown): GitopsError {
  try {
    run();
  } catch (err) {
    return err as GitopsError;
  }
  throw new Error('expected a refusal');
}

describe('the state backend URL is checked before any engine starts', () => {
  it('an unknown scheme is a usage error naming the variable, without the query', async () => {
    const layout = await repoWith('name: p\nruntime: nodejs\n');
    const err = refusal(() => resolveBackendUrl(layout, { PULUMI_BACKEND_URL: 'bogus://x?token=hunter2' }));
    expect(err.code).toBe('USAGE');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.message).toBe('PULUMI_BACKEND_URL: state backend bogus://x is not one Pulumi opens (unknown scheme bogus://); nothing ran');
    expect(JSON.stringify(err)).not.toContain('hunter2');
  });

  it('a file backend in /proc, /sys or /dev is refused (reads there can block for ever)', async () => {
    const layout = await repoWith('name: p\nruntime: nodejs\n');
    for (const url of ['file:///proc/1/fd', 'file:///sys/kernel', 'file:///dev/shm/../null']) {
      const err = refusal(() => resolveBackendUrl(layout, { PULUMI_BACKEND_URL: url }));
      expect(err.code, url).toBe('USAGE');
      expect(err.message, url).toMatch(/a pseudo-file system that holds no state; nothing ran$/);
    }
  });

  it('the schemes Pulumi opens pass, from the variable or from Pulumi.yaml', async () => {
    const layout = await repoWith('name: p\nruntime: nodejs\nbackend:\n  url: s3://bucket?region=us-east-1\n');
    expect(resolveBackendUrl(layout, {})).toBe('s3://bucket?region=us-east-1');
    expect(resolveBackendUrl(layout, { PULUMI_BACKEND_URL: 'gs://b' })).toBe('gs://b');
    expect(resolveBackendUrl(await repoWith(), { PULUMI_BACKEND_URL: 'azblob://c' })).toBe('azblob://c');
  });

  it('an invalid Pulumi.yaml is an error naming the file even when PULUMI_BACKEND_URL is set', async () => {
    const layout = await repoWith('name: p\nbackend: [unclosed\n');
    const err = refusal(() => resolveBackendUrl(layout, { PULUMI_BACKEND_URL: 'file:///tmp/state' }));
    expect(err.code).toBe('USAGE');
    expect(err.message).toContain(`${path.join(layout.root, 'Pulumi.yaml')}: cannot read it:`);
    const numeric = await repoWith('backend:\n  url: 5\n');
    const typed = refusal(() => resolveBackendUrl(numeric, { PULUMI_BACKEND_URL: 'file:///tmp/state' }));
    expect(typed.message).toMatch(/Pulumi\.yaml: backend\.url must be a string$/);
  });
});
