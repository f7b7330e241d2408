import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { encryptConfig } from '../helpers/secrets.js';

/**
 * Secrets providers per stack: a protected stack keeps its passphrase in a variable of its own
 * (`secrets.passphraseEnv`), so a merge-request job that holds only the ordinary passphrase
 * previews it as skipped instead of failing; a stack file's `secretsProvider` reaches Pulumi.
 */
const program = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program() {
  const token = new pulumi.Config().requireSecret('token');
  new LocalFile('token-file', { path: demoDir(pulumi.getStack()) + '/token', content: token, mode: '600' });
  return {};
}
`;

interface RunDoc {
  stacks: { name: string; status: string; skipReason?: string; error?: { code: string; message: string } }[];
}

describe('secrets providers and per-stack passphrases', () => {
  let box: Sandbox;
  const PROD = 'prod-passphrase-5b1e';
  const doc = (r: CliRun) => JSON.parse(r.stdout) as RunDoc;
  const stack = (r: CliRun, name: string) => doc(r).stacks.find((s) => s.name === name)!;
  const tokenOf = (name: string) => readFile(path.join(box.root, '.gitops', 'demo', name, 'token'), 'utf8');

  beforeAll(async () => {
    const dev = await encryptConfig('vault', 'dev', 'gitops-demo', { 'vault:token': 'dev-token-value' });
    const prod = await encryptConfig('vault', 'prod', PROD, { 'vault:token': 'prod-token-value' });
    box = await createSandbox({
      stacks: {
        dev: stringify({ program: 'vault', config: dev.config, encryptionSalt: dev.encryptionSalt, secretsProvider: 'passphrase' }),
        prod: stringify({
          program: 'vault',
          config: prod.config,
          encryptionSalt: prod.encryptionSalt,
          secrets: { passphraseEnv: 'PROD_STACK_PASSPHRASE' },
        }),
      },
    });
    await box.write('programs/vault/index.ts', program);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('a preview without the protected passphrase skips that stack (exit 0) and previews the rest', async () => {
    const r = await box.run(['preview', '--all', '--json'], { PROD_STACK_PASSPHRASE: undefined });
    expect(r.code, r.stderr).toBe(0);
    expect(stack(r, 'prod')).toMatchObject({ status: 'skipped', skipReason: "no access to this stack's secrets" });
    expect(stack(r, 'dev').status).toBe('succeeded');
    expect(r.stderr).toContain("prod: skipped: no access to this stack's secrets");
  });

  it('deploy without it fails that stack, naming the variable, and never tries the ordinary passphrase', async () => {
    const r = await box.run(['deploy', '--stack', 'prod', '--json'], { PROD_STACK_PASSPHRASE: undefined });
    expect(r.code).not.toBe(0);
    expect(stack(r, 'prod')).toMatchObject({
      status: 'failed',
      error: { code: 'PASSPHRASE_MISSING', message: expect.stringContaining('PROD_STACK_PASSPHRASE is not set') },
    });
  });

  it('with it, each stack decrypts with its own passphrase; the passphrase never appears in output', async () => {
    const r = await box.run(['deploy', '--all', '--json'], { PROD_STACK_PASSPHRASE: PROD });
    expect(r.code, r.stderr).toBe(0);
    expect(await tokenOf('dev')).toBe('dev-token-value');
    expect(await tokenOf('prod')).toBe('prod-token-value');
    for (const text of [r.stdout, r.stderr]) expect(text).not.toContain(PROD);
  });

  it('a wrong protected passphrase is refused before anything runs', async () => {
    const r = await box.run(['deploy', '--all'], { PROD_STACK_PASSPHRASE: 'not-the-passphrase' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not decrypt the secrets of stack prod\b/);
  });

  it('an empty protected passphrase is refused (exit 2)', async () => {
    const r = await box.run(['preview', '--all'], { PROD_STACK_PASSPHRASE: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PROD_STACK_PASSPHRASE is set but empty');
  });

  it("a stack file's secretsProvider is the one Pulumi uses", async () => {
    await box.write('stacks/kms.yaml', stringify({ program: 'vault', secretsProvider: 'hashivault://gitops-test-key' }));
    // No Vault here: creating the stack must fail on that provider, which proves it was passed on.
    const r = await box.run(['preview', '--stack', 'kms', '--json'], { VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 'none' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('transit/encrypt/gitops-test-key');
    await box.remove('stacks/kms.yaml');
  });

  it('passphraseEnv with a key URL provider is a stack file error', async () => {
    await box.write(
      'stacks/bad.yaml',
      stringify({ program: 'vault', secretsProvider: 'awskms://alias/x', secrets: { passphraseEnv: 'P' } }),
    );
    const r = await box.run(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stacks\/bad\.yaml.*secrets\.passphraseEnv.*passphrase secrets provider/s);
    await box.remove('stacks/bad.yaml');
  });
});
