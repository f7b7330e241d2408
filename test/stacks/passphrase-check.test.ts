import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passphraseOpens, verifyPassphrase } from '../../src/engine/verify-passphrase.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import type { StackDefinition } from '../../src/stacks/schema.js';
import { repoRoot } from '../helpers/sandbox.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

/** A demo stack file of this repository; demo-web's secrets were encrypted with the passphrase "gitops-demo". */
function demo(name: string): StackDefinition {
  const file = `stacks/${name}.yaml`;
  return parseStackFile(file, name, readFileSync(path.join(repoRoot, file), 'utf8')).definition!;
}

describe("the passphrase is checked against the stacks' encryptionSalt before anything runs", () => {
  it('opens a salt Pulumi made with the same passphrase, and not with another', async () => {
    const salt = demo('demo-web').encryptionSalt!;
    expect(await passphraseOpens('gitops-demo', salt)).toBe(true);
    expect(await passphraseOpens('gitops-demo ', salt)).toBe(false);
    expect(await passphraseOpens('', salt)).toBe(false);
    expect(await passphraseOpens('gitops-demo', 'v1:salt')).toBeUndefined();
  });

  it('a wrong passphrase: PASSPHRASE_INVALID (exit 2) naming the stack and its file, never the passphrase', async () => {
    const err = await verifyPassphrase([demo('demo-base'), demo('demo-web')], { PULUMI_CONFIG_PASSPHRASE: 'hunter2-wrong' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitopsError);
    const e = err as GitopsError;
    expect(e.code).toBe('PASSPHRASE_INVALID');
    expect(e.kind).toBe('user');
    expect(exitCodeFor(e)).toBe(2);
    expect(e.message).toBe('the passphrase does not decrypt the secrets of stack demo-web; nothing was run');
    expect(e.details).toEqual(['stacks/demo-web.yaml: encryptionSalt: made with another passphrase']);
    expect(JSON.stringify({ message: e.message, hint: e.hint, details: e.details })).not.toContain('hunter2');
  });

  it('the right passphrase passes, from the variable or from a file (trimmed, as Pulumi reads it)', async () => {
    await expect(verifyPassphrase([demo('demo-web')], { PULUMI_CONFIG_PASSPHRASE: 'gitops-demo' })).resolves.toBeUndefined();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-passphrase-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'passphrase'), 'gitops-demo\n');
    await expect(
      verifyPassphrase([demo('demo-web')], { PULUMI_CONFIG_PASSPHRASE_FILE: path.join(dir, 'passphrase') }),
    ).resolves.toBeUndefined();
  });

  it("stacks without a salt need no check; a salt that is not Pulumi's is STACK_INVALID naming the file", async () => {
    await expect(verifyPassphrase([demo('demo-base')], { PULUMI_CONFIG_PASSPHRASE: 'anything' })).resolves.toBeUndefined();
    const broken = { ...demo('demo-web'), encryptionSalt: 'v1:not-a-salt' };
    const err = (await verifyPassphrase([broken], { PULUMI_CONFIG_PASSPHRASE: 'gitops-demo' }).catch((e: unknown) => e)) as GitopsError;
    expect(err.code).toBe('STACK_INVALID');
    expect(exitCodeFor(err)).toBe(2);
    expect(err.details).toEqual(['stacks/demo-web.yaml: encryptionSalt: not of the form v1:<salt>:v1:<nonce>:<ciphertext>']);
  });
});
