import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { joinStdinValues, stdinValue } from '../../src/cli/stdin-values.js';
import { PassphraseCrypter } from '../../src/config/passphrase-crypter.js';
import { setConfigInText } from '../../src/config/stack-file-edit.js';
import { passphraseOpens } from '../../src/engine/verify-passphrase.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles } from '../helpers/stack-files.js';

const repos: GitRepo[] = [];
afterAll(async () => {
  for (const r of repos) await r.dispose();
});

async function gitops(cwd: string, env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
  };
  const code = await main(argv, { cwd, env: { PATH: process.env.PATH, ...env }, io, signal: new AbortController().signal });
  return { code, stdout, stderr };
}

const stackText = '# the web stack\nprogram: app\nconfig:\n  # the greeting shown\n  app:greeting: hello\n';

async function repoWith(stacks: Record<string, string>): Promise<GitRepo> {
  const repo = await createGitRepo(repoFiles(stacks));
  repos.push(repo);
  return repo;
}

describe("Pulumi's passphrase format, in Node", () => {
  it('a new salt opens with its passphrase (as the pre-run check reads it) and not with another; values round-trip', async () => {
    const crypter = await PassphraseCrypter.create('correct horse');
    expect(crypter.salt).toMatch(/^v1:[A-Za-z0-9+/]+=*:v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    expect(await passphraseOpens('correct horse', crypter.salt)).toBe(true);
    expect(await passphraseOpens('wrong', crypter.salt)).toBe(false);
    const sealed = crypter.encrypt('s3cr3t ünïcode');
    expect(sealed).toMatch(/^v1:/);
    expect(crypter.decrypt(sealed)).toBe('s3cr3t ünïcode');
    const reopened = await PassphraseCrypter.open('correct horse', crypter.salt);
    expect(reopened!.decrypt(sealed)).toBe('s3cr3t ünïcode');
    expect(await PassphraseCrypter.open('wrong', crypter.salt)).toBeUndefined();
    expect((await PassphraseCrypter.create('other')).decrypt(sealed)).toBeUndefined();
  });
});

describe('editing a stack file', () => {
  it('sets a value and keeps comments and order', () => {
    const out = setConfigInText(stackText, 'app:name', 'web');
    expect(out).toBe('# the web stack\nprogram: app\nconfig:\n  # the greeting shown\n  app:greeting: hello\n  app:name: web\n');
    expect(setConfigInText('program: app\n', 'app:x', { secure: 'v1:a:b' }, 'v1:s:v1:n:c')).toBe(
      'program: app\nencryptionSalt: v1:s:v1:n:c\nconfig:\n  app:x:\n    secure: v1:a:b\n',
    );
  });
});

describe('gitops config set / get', () => {
  const env = { PULUMI_CONFIG_PASSPHRASE: 'pw' };

  it('writes a plain value, prints it back, keeps it as text', async () => {
    const repo = await repoWith({ web: stackText });
    expect((await gitops(repo.dir, {}, 'config', 'set', 'web', 'app:port', '0123')).code).toBe(0);
    expect(readFileSync(path.join(repo.dir, 'stacks/web.yaml'), 'utf8')).toContain('app:port: "0123"');
    const get = await gitops(repo.dir, {}, 'config', 'get', 'web', 'app:port');
    expect(get).toMatchObject({ code: 0, stdout: '0123\n' });
  });

  it('--secret encrypts with the stack passphrase, adds encryptionSalt, and get shows it only with --show-secrets', async () => {
    const repo = await repoWith({ web: stackText });
    const set = await gitops(repo.dir, env, 'config', 'set', 'web', 'app:token', 's3cr3t', '--secret');
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('added encryptionSalt');
    const text = readFileSync(path.join(repo.dir, 'stacks/web.yaml'), 'utf8');
    expect(text).not.toContain('s3cr3t');
    const def = (await loadStacks(layoutAt(repo.dir))).byName.get('web')!;
    expect(await passphraseOpens('pw', def.encryptionSalt!)).toBe(true);
    expect(def.config!['app:token']).toEqual({ secure: expect.stringMatching(/^v1:/) });

    const hidden = await gitops(repo.dir, env, 'config', 'get', 'web', 'app:token');
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain('stacks/web.yaml: config app:token is a secret');
    expect(hidden.stdout).toBe('');
    expect(await gitops(repo.dir, env, 'config', 'get', 'web', 'app:token', '--show-secrets')).toMatchObject({
      code: 0,
      stdout: 's3cr3t\n',
    });

    // A second secret reuses the salt.
    expect((await gitops(repo.dir, env, 'config', 'set', 'web', 'app:other', 'x', '--secret')).stderr).not.toContain(
      'added encryptionSalt',
    );
    expect((await loadStacks(layoutAt(repo.dir))).byName.get('web')!.encryptionSalt).toBe(def.encryptionSalt);
  });

  it('refuses, writing nothing: a wrong passphrase, no passphrase, an unknown stack, a bad key, a missing key', async () => {
    const repo = await repoWith({ web: stackText });
    await gitops(repo.dir, env, 'config', 'set', 'web', 'app:token', 's3cr3t', '--secret');
    const before = readFileSync(path.join(repo.dir, 'stacks/web.yaml'), 'utf8');
    const wrong = await gitops(repo.dir, { PULUMI_CONFIG_PASSPHRASE: 'nope' }, 'config', 'set', 'web', 'app:t2', 'x', '--secret');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('does not open the encryptionSalt of stacks/web.yaml');
    const none = await gitops(repo.dir, {}, 'config', 'set', 'web', 'app:t2', 'x', '--secret');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('PULUMI_CONFIG_PASSPHRASE is not set');
    expect((await gitops(repo.dir, {}, 'config', 'set', 'nope', 'k', 'v')).code).toBe(2);
    const bad = await gitops(repo.dir, {}, 'config', 'set', 'web', 'bad key', 'v');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot be written to stacks/web.yaml; nothing was written');
    const missing = await gitops(repo.dir, {}, 'config', 'get', 'web', 'app:absent');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('stacks/web.yaml has no config value "app:absent"');
    expect(missing.stderr).toContain('gitops config set web app:absent VALUE');
    expect(readFileSync(path.join(repo.dir, 'stacks/web.yaml'), 'utf8')).toBe(before);
  });

  it('a lone "-" VALUE stands for stdin', () => {
    expect(joinStdinValues(['config', 'set', 'web', 'app:k', '-', '--secret'])).toEqual([
      'config',
      'set',
      'web',
      'app:k',
      stdinValue,
      '--secret',
    ]);
    expect(joinStdinValues(['config', 'get', 'web', '-'])).toEqual(['config', 'get', 'web', '-']);
  });
});
