import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkPassphrase } from '../backend/backend-url.js';
import { PassphraseCrypter } from '../config/passphrase-crypter.js';
import { setConfigInText } from '../config/stack-file-edit.js';
import { DEFAULT_PASSPHRASE_VARIABLE, passphraseVariable, usesPassphrase } from '../engine/secrets-provider.js';
import { passphraseFrom } from '../engine/verify-passphrase.js';
import { GitopsError, userError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import { formatDiagnostic } from '../stacks/diagnostic.js';
import type { StackCatalog } from '../stacks/load.js';
import { parseStackFile } from '../stacks/parse.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';

/** The repository a config command works in. */
export interface ConfigRepo {
  layout: RepoLayout;
  catalog: StackCatalog;
  env: NodeJS.ProcessEnv;
}

/** What `gitops config set` wrote. */
export interface ConfigSetResult {
  file: string;
  key: string;
  secret: boolean;
  /** True when the stack had no `encryptionSalt` and one was added. */
  saltAdded: boolean;
}

/** What `gitops config get` found. */
export interface ConfigGetResult {
  file: string;
  key: string;
  secret: boolean;
  /** The value as text; for a secret, only when asked to show secrets. */
  value?: string;
}

function stackOf(repo: ConfigRepo, name: string): StackDefinition {
  const def = repo.catalog.byName.get(name);
  if (!def) {
    throw userError(
      'STACK_UNKNOWN',
      `unknown stack "${name}": no stack file of that name`,
      `the stacks are: ${[...repo.catalog.byName.keys()].join(', ')}`,
    );
  }
  return def;
}

/** The stack's passphrase, read as Pulumi reads it; refused when missing or empty, naming the variable. */
async function passphraseOf(def: StackDefinition, env: NodeJS.ProcessEnv): Promise<string> {
  if (!usesPassphrase(def)) {
    throw userError(
      'USAGE',
      `${def.file}: stack ${def.name} uses the secrets provider ${def.secretsProvider}; gitops encrypts and decrypts with the passphrase provider only`,
      `encrypt with: pulumi config set --secret KEY (in a Pulumi.${def.stack}.yaml of that provider), and copy the secure: value into ${def.file}`,
    );
  }
  const variable = passphraseVariable(def);
  const value = variable === DEFAULT_PASSPHRASE_VARIABLE ? await passphraseFrom(env) : env[variable];
  if (value === undefined) {
    throw userError(
      'PASSPHRASE_MISSING',
      `no passphrase for stack ${def.name}: ${variable} is not set`,
      `set ${variable} to the passphrase of ${def.file}`,
    );
  }
  checkPassphrase({ [variable]: value }, variable);
  return value;
}

/** The crypter of the stack's salt, or of a new salt when it has none. */
async function crypterOf(def: StackDefinition, env: NodeJS.ProcessEnv): Promise<PassphraseCrypter> {
  const passphrase = await passphraseOf(def, env);
  if (!def.encryptionSalt) return PassphraseCrypter.create(passphrase);
  let crypter: PassphraseCrypter | undefined;
  try {
    crypter = await PassphraseCrypter.open(passphrase, def.encryptionSalt);
  } catch (err) {
    throw userError('STACK_INVALID', `${def.file}: encryptionSalt is not a Pulumi passphrase salt: ${(err as Error).message}`);
  }
  if (!crypter) {
    throw userError('PASSPHRASE_INVALID', `the passphrase in ${passphraseVariable(def)} does not open the encryptionSalt of ${def.file}`);
  }
  return crypter;
}

/**
 * `gitops config set STACK KEY VALUE [--secret]`: writes `config.KEY` in the stack file,
 * keeping its comments. A secret is encrypted with the stack's passphrase (Pulumi's format,
 * so the engine decrypts it), and an `encryptionSalt` is added when the stack has none. The
 * changed file is checked before it is written: an invalid key writes nothing.
 */
export async function setConfig(
  repo: ConfigRepo,
  request: { stack: string; key: string; value: string; secret: boolean },
): Promise<ConfigSetResult> {
  const def = stackOf(repo, request.stack);
  const file = path.join(repo.layout.root, def.file);
  const text = await readFile(file, 'utf8');
  let value: string | { secure: string } = request.value;
  let salt: string | undefined;
  if (request.secret) {
    const crypter = await crypterOf(def, repo.env);
    value = { secure: crypter.encrypt(request.value) };
    if (!def.encryptionSalt) salt = crypter.salt;
  }
  let next: string;
  try {
    next = setConfigInText(text, request.key, value, salt);
  } catch (err) {
    throw userError('STACK_INVALID', `${def.file}: cannot edit it: ${(err as Error).message}`);
  }
  const parsed = parseStackFile(def.file, def.name, next);
  if (parsed.diagnostics.length > 0) {
    throw new GitopsError({
      code: 'USAGE',
      kind: 'user',
      message: `config key "${request.key}" cannot be written to ${def.file}; nothing was written`,
      details: parsed.diagnostics.map(formatDiagnostic),
    });
  }
  await writeFile(file, next);
  return { file: def.file, key: request.key, secret: request.secret, saltAdded: salt !== undefined };
}

/** `gitops config get STACK KEY`: the value of `config.KEY`; a secret decrypted only with `showSecrets`. */
export async function getConfig(repo: ConfigRepo, request: { stack: string; key: string; showSecrets: boolean }): Promise<ConfigGetResult> {
  const def = stackOf(repo, request.stack);
  const raw = def.config?.[request.key];
  if (raw === undefined) {
    throw userError(
      'USAGE',
      `${def.file} has no config value "${request.key}"`,
      `set it with: gitops config set ${def.name} ${request.key} VALUE`,
    );
  }
  if (!isSecureValue(raw))
    return { file: def.file, key: request.key, secret: false, value: typeof raw === 'string' ? raw : JSON.stringify(raw) };
  if (!request.showSecrets) return { file: def.file, key: request.key, secret: true };
  const value = (await crypterOf(def, repo.env)).decrypt(raw.secure);
  if (value === undefined) {
    throw userError(
      'PASSPHRASE_INVALID',
      `${def.file}: config.${request.key} was not encrypted with this stack's encryptionSalt and passphrase`,
    );
  }
  return { file: def.file, key: request.key, secret: true, value };
}
