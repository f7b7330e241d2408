import { createDecipheriv, pbkdf2 } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { GitopsError, userError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';

const derive = promisify(pbkdf2);

/**
 * The passphrase the engine will use, read as Pulumi reads it: PULUMI_CONFIG_PASSPHRASE (even
 * empty), else the trimmed contents of PULUMI_CONFIG_PASSPHRASE_FILE; undefined when neither.
 */
export async function passphraseFrom(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return env.PULUMI_CONFIG_PASSPHRASE;
  const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (!file) return undefined;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    throw userError(
      'PASSPHRASE_MISSING',
      `PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

/**
 * True when `passphrase` opens `salt`, the `encryptionsalt` of Pulumi's passphrase provider:
 * `v1:<salt>:v1:<nonce>:<"pulumi" sealed with AES-256-GCM>`, the key PBKDF2-SHA256 of the
 * passphrase, 1,000,000 rounds (pulumi/sdk go/common/resource/config/crypt.go). Undefined when
 * the salt is not of that form.
 */
export async function passphraseOpens(passphrase: string, salt: string): Promise<boolean | undefined> {
  const parts = salt.split(':');
  if (parts.length !== 5 || parts[0] !== 'v1' || parts[2] !== 'v1') return undefined;
  const [, saltB64, , nonceB64, sealedB64] = parts as [string, string, string, string, string];
  const b64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (![saltB64, nonceB64, sealedB64].every((p) => b64.test(p))) return undefined;
  const sealed = Buffer.from(sealedB64, 'base64');
  const nonce = Buffer.from(nonceB64, 'base64');
  if (nonce.length !== 12 || sealed.length < 16) return undefined;
  const key = await derive(passphrase, Buffer.from(saltB64, 'base64'), 1_000_000, 32, 'sha256');
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8') === 'pulumi';
  } catch {
    return false;
  }
}

/**
 * Checks, before anything runs, that the passphrase opens the `encryptionSalt` of every stack
 * that has one. Otherwise the first stack with secrets would fail mid-run, after the stacks
 * before it were already deployed. Throws PASSPHRASE_INVALID naming the stacks (never the
 * passphrase), or STACK_INVALID for a salt that is not Pulumi's. Each distinct salt costs one
 * key derivation (~0.2 s of one core); they run in parallel.
 */
export async function verifyPassphrase(stacks: readonly StackDefinition[], env: NodeJS.ProcessEnv): Promise<void> {
  const bySalt = new Map<string, StackDefinition[]>();
  for (const s of stacks) if (s.encryptionSalt) bySalt.set(s.encryptionSalt, [...(bySalt.get(s.encryptionSalt) ?? []), s]);
  if (bySalt.size === 0) return;
  const passphrase = await passphraseFrom(env);
  if (passphrase === undefined) return; // No passphrase at all is checkPassphrase's error.
  const outcomes = await Promise.all(
    [...bySalt].map(async ([salt, owners]) => ({ owners, opens: await passphraseOpens(passphrase, salt) })),
  );
  const malformed = outcomes.filter((o) => o.opens === undefined).flatMap((o) => o.owners);
  if (malformed.length > 0) {
    throw new GitopsError({
      code: 'STACK_INVALID',
      kind: 'user',
      message: `encryptionSalt of ${malformed.map((s) => s.name).join(', ')} is not a Pulumi passphrase salt; nothing was run`,
      hint: 'copy encryptionsalt from the Pulumi.<stack>.yaml that encrypted the secrets (v1:...:v1:...:...)',
      details: malformed.map((s) => `${s.file}: encryptionSalt: not of the form v1:<salt>:v1:<nonce>:<ciphertext>`),
    });
  }
  const refused = outcomes.filter((o) => o.opens === false).flatMap((o) => o.owners);
  if (refused.length > 0) {
    const names = refused.map((s) => s.name);
    throw new GitopsError({
      code: 'PASSPHRASE_INVALID',
      kind: 'user',
      message: `the passphrase does not decrypt the secrets of stack${names.length > 1 ? 's' : ''} ${names.join(', ')}; nothing was run`,
      hint: "check PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE, and the stack file's encryptionSalt",
      details: refused.map((s) => `${s.file}: encryptionSalt: made with another passphrase`),
    });
  }
}
