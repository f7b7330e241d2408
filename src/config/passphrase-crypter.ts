import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const derive = promisify(pbkdf2);

/**
 * Pulumi's passphrase secrets provider, in Node: the key is PBKDF2-SHA256 of the passphrase
 * and the salt, 1,000,000 rounds, 32 bytes; a value is sealed with AES-256-GCM under a random
 * 12-byte nonce and written `v1:<nonce>:<ciphertext and tag>` (base64). The salt record,
 * `encryptionsalt`, is `v1:<salt>:` followed by the word "pulumi" sealed that way, so a
 * passphrase can be checked against it (pulumi/sdk go/common/resource/config/crypt.go and
 * secrets/passphrase).
 */
export class PassphraseCrypter {
  private constructor(
    private readonly key: Buffer,
    /** The `encryptionSalt` this key belongs to. */
    readonly salt: string,
  ) {}

  /** A new salt for a stack that has none, and its crypter. */
  static async create(passphrase: string): Promise<PassphraseCrypter> {
    const saltBytes = randomBytes(8);
    const key = await derive(passphrase, saltBytes, 1_000_000, 32, 'sha256');
    return new PassphraseCrypter(key, `v1:${saltBytes.toString('base64')}:${seal(key, 'pulumi')}`);
  }

  /** The crypter of an existing salt; undefined when the passphrase does not open it. Throws when the salt is not Pulumi's. */
  static async open(passphrase: string, salt: string): Promise<PassphraseCrypter | undefined> {
    const parts = salt.split(':');
    if (parts.length !== 5 || parts[0] !== 'v1' || parts[2] !== 'v1') throw new Error('not of the form v1:<salt>:v1:<nonce>:<ciphertext>');
    const key = await derive(passphrase, Buffer.from(parts[1]!, 'base64'), 1_000_000, 32, 'sha256');
    return open(key, parts.slice(2).join(':')) === 'pulumi' ? new PassphraseCrypter(key, salt) : undefined;
  }

  /** `v1:<nonce>:<ciphertext>`, as `pulumi config set --secret` writes it under `secure:`. */
  encrypt(plaintext: string): string {
    return seal(this.key, plaintext);
  }

  /** The plaintext of a `v1:` value; undefined when this key did not seal it. */
  decrypt(ciphertext: string): string | undefined {
    return open(this.key, ciphertext);
  }
}

function seal(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1:${nonce.toString('base64')}:${sealed.toString('base64')}`;
}

function open(key: Buffer, value: string): string | undefined {
  const parts = value.split(':');
  if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
  const nonce = Buffer.from(parts[1]!, 'base64');
  const sealed = Buffer.from(parts[2]!, 'base64');
  if (nonce.length !== 12 || sealed.length < 16) return undefined;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
