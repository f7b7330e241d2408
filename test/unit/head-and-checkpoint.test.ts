import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { namedCheckpointError, stateLocation } from '../../src/engine/checkpoint-error.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { Git } from '../../src/git/git.js';
import { headCommit } from '../../src/git/head-commit.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-head-'));
  dirs.push(dir);
  return dir;
}

describe('the commit a deploy records', () => {
  it('a repository with no commit is refused (exit 2); outside git there is none to record; else HEAD', async () => {
    const empty = await folder();
    execFileSync('git', ['init', '--quiet', empty]);
    const err = await headCommit(new Git(empty), empty).catch((e: unknown) => e);
    expect((err as GitopsError).message).toBe(
      `the git repository at ${empty} has no commit yet: a deploy records the commit it deploys; nothing ran`,
    );
    expect(exitCodeFor(err)).toBe(2);

    const plain = await folder();
    expect(await headCommit(new Git(plain), plain)).toBeUndefined();

    execFileSync('git', ['-C', empty, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '--quiet', '--allow-empty', '-m', 'first']);
    expect(await headCommit(new Git(empty), empty)).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("Pulumi's checkpoint-load failure names the state", () => {
  const engineError = (message: string) => new GitopsError({ code: 'ENGINE_ERROR', kind: 'external', message });

  it('names the file or the object (no query), with where the previous versions are', () => {
    const where = stateLocation('s3://state?endpoint=http://x&secret=k', 'web', 'prod');
    expect(where).toBe('s3://state/.pulumi/stacks/web/prod.json');
    const named = namedCheckpointError(
      'web-prod',
      engineError('stack web-prod: failed to load checkpoint: unexpected end of JSON input'),
      where,
    );
    expect(named.message).toBe(
      'stack web-prod: its state s3://state/.pulumi/stacks/web/prod.json cannot be loaded: unexpected end of JSON input; nothing was run',
    );
    expect(named.hint).toContain('.json.bak');
  });

  it('leaves other errors alone', () => {
    const other = engineError('stack web-prod: something else');
    expect(namedCheckpointError('web-prod', other, '/x.json')).toBe(other);
  });
});
