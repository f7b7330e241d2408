import type { Deployment } from '@pulumi/pulumi/automation/index.js';

/** Pulumi's marker for a secret value, in state and in engine events alike. */
export const SECRET_SIG = '4dabf18193072939515e22adb298388d';
const SECRET_KIND = '1b47061264138c4ac30d75fd1eb44270';

/** True for a secret value as Pulumi serializes it: `{<sig>: <secret kind>, ciphertext | plaintext}`. */
export function isSecretValue(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_KIND
  );
}

/**
 * The decrypted value inside a secret of an export made with `--show-secrets` (its `plaintext`
 * is the value's JSON); undefined when the secret is still encrypted or masked.
 */
export function secretPlaintext(value: unknown): unknown {
  if (!isSecretValue(value) || typeof value.plaintext !== 'string') return undefined;
  try {
    return JSON.parse(value.plaintext);
  } catch {
    return value.plaintext;
  }
}

/** Every string and number inside a value, as text: what a redactor must know of a secret. */
export function leafTexts(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'bigint') return [String(value)];
  if (typeof value === 'object') return Object.values(value).flatMap(leafTexts);
  return [];
}

/**
 * The plaintext of every secret in a deployment exported with secrets shown: resource inputs
 * and outputs (the stack's own outputs are the root resource's), at any depth. Secrets nested
 * in a secret are covered by their enclosing value.
 */
export function deploymentSecrets(deployment: Deployment | { deployment?: unknown }): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (isSecretValue(value)) {
      found.push(...leafTexts(secretPlaintext(value)));
      return;
    }
    for (const v of Object.values(value)) walk(v);
  };
  walk((deployment as { deployment?: unknown }).deployment);
  return found;
}
