import { readFileSync } from 'node:fs';
import type { Redactor } from './redact.js';

/** Credentials the driver itself uses, whatever the naming rule says. */
export const knownCredentialVariables = [
  'PULUMI_CONFIG_PASSPHRASE',
  'GITOPS_GITLAB_TOKEN',
  'GITLAB_TOKEN',
  'GITOPS_GITHUB_TOKEN',
  'GITHUB_TOKEN',
] as const;

const credentialWord = /TOKEN|SECRET|PASSWORD|PASSPHRASE|CREDENTIAL/i;
/** `KEY` only as a whole segment: `AWS_SECRET_ACCESS_KEY`, `API_KEY`, not `MONKEY` or `KEYBOARD_LAYOUT`. */
const keySegment = /(?:^|[^A-Za-z])KEYS?(?:$|[^A-Za-z])/i;
/** These name where a credential is, not the credential: `PULUMI_CONFIG_PASSPHRASE_FILE=/tmp/x`. */
const locationSuffix = /_(?:FILE|PATH|DIR)$/i;

/** Whether a variable's name marks its value as a credential (TOKEN, SECRET, PASSWORD, PASSPHRASE, KEY, CREDENTIALS). */
export function isCredentialVariable(name: string): boolean {
  if ((knownCredentialVariables as readonly string[]).includes(name)) return true;
  if (locationSuffix.test(name)) return false;
  return credentialWord.test(name) || keySegment.test(name);
}

/**
 * The values of every credential variable in `env`, and the passphrase in
 * `PULUMI_CONFIG_PASSPHRASE_FILE` (trimmed, as Pulumi reads it). An unreadable file adds
 * nothing: the passphrase check reports it.
 */
export function credentialValues(env: NodeJS.ProcessEnv, readText: (file: string) => string = (f) => readFileSync(f, 'utf8')): string[] {
  const values = Object.entries(env).flatMap(([name, value]) => (value && isCredentialVariable(name) ? [value] : []));
  const passphraseFile = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  if (passphraseFile) {
    try {
      values.push(readText(passphraseFile).trim());
    } catch {
      // Nothing to learn from a file that is not there; checkPassphrase names it.
    }
  }
  return values;
}

/** Teaches the redactor every credential of the environment. Call once, before anything runs or prints. */
export function learnCredentialEnv(redactor: Redactor, env: NodeJS.ProcessEnv): void {
  redactor.addAll(credentialValues(env));
}
