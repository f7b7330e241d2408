import { checkPassphrase } from '../backend/backend-url.js';
import type { StackDefinition } from '../stacks/schema.js';
import { verifyPassphrase } from './verify-passphrase.js';

/** The environment variable Pulumi reads a passphrase from. */
export const DEFAULT_PASSPHRASE_VARIABLE = 'PULUMI_CONFIG_PASSPHRASE';

/** Why a preview left a stack alone when the job holds no key to its secrets. */
export const NO_SECRETS_ACCESS = "no access to this stack's secrets";

/** True when the stack's secrets use the passphrase provider (the default). */
export function usesPassphrase(def: StackDefinition): boolean {
  return (def.secretsProvider ?? 'passphrase') === 'passphrase';
}

/** The variable holding a passphrase stack's passphrase: its `secrets.passphraseEnv`, else PULUMI_CONFIG_PASSPHRASE. */
export function passphraseVariable(def: StackDefinition): string {
  return def.secrets?.passphraseEnv ?? DEFAULT_PASSPHRASE_VARIABLE;
}

/**
 * Whether this job can decrypt the stack's secrets: false only for a passphrase stack that names
 * its own variable (`secrets.passphraseEnv`) when that variable is unset. Key URL providers are
 * the cloud's business: their credentials cannot be checked without asking the key service.
 */
export function hasSecretsAccess(def: StackDefinition, env: NodeJS.ProcessEnv): boolean {
  if (!usesPassphrase(def) || def.secrets?.passphraseEnv === undefined) return true;
  return env[def.secrets.passphraseEnv] !== undefined;
}

/**
 * The checks that must pass before anything runs. An empty passphrase is refused for every
 * stack (it would leave secrets unprotected). A missing PULUMI_CONFIG_PASSPHRASE (and file) is
 * refused when a selected stack relies on it. A missing `secrets.passphraseEnv` variable is not
 * refused here: a preview skips that stack ({@link NO_SECRETS_ACCESS}), anything else fails it.
 */
export function checkSecretsAccess(stacks: readonly StackDefinition[], env: NodeJS.ProcessEnv): void {
  const passphraseStacks = stacks.filter(usesPassphrase);
  // No stacks selected still checks the default, as before: an empty selection must not hide a bad setup.
  if (stacks.length === 0 || passphraseStacks.some((s) => s.secrets?.passphraseEnv === undefined)) checkPassphrase(env);
  for (const variable of new Set(passphraseStacks.flatMap((s) => (s.secrets?.passphraseEnv ? [s.secrets.passphraseEnv] : [])))) {
    if (env[variable] !== undefined) checkPassphrase(env, variable);
  }
}

/**
 * Environment for the CLI of one stack: a `secrets.passphraseEnv` stack gets its passphrase as
 * PULUMI_CONFIG_PASSPHRASE, the only variable Pulumi reads, which also takes precedence over a
 * PULUMI_CONFIG_PASSPHRASE_FILE inherited from the job.
 */
export function secretsEnv(def: StackDefinition, env: NodeJS.ProcessEnv): Record<string, string> {
  const variable = def.secrets?.passphraseEnv;
  if (!usesPassphrase(def) || variable === undefined) return {};
  const value = env[variable];
  return value === undefined ? {} : { [DEFAULT_PASSPHRASE_VARIABLE]: value };
}

/**
 * {@link verifyPassphrase} for each passphrase variable in use: every stack's salt is checked
 * against its own passphrase. Stacks whose variable is unset are left out (a preview skips
 * them; anything else fails them by name).
 */
export async function verifyStackPassphrases(stacks: readonly StackDefinition[], env: NodeJS.ProcessEnv): Promise<void> {
  const byVariable = new Map<string, StackDefinition[]>();
  for (const s of stacks.filter(usesPassphrase))
    byVariable.set(passphraseVariable(s), [...(byVariable.get(passphraseVariable(s)) ?? []), s]);
  await Promise.all(
    [...byVariable].map(([variable, owners]) => {
      if (variable === DEFAULT_PASSPHRASE_VARIABLE) return verifyPassphrase(owners, env);
      const value = env[variable];
      return value === undefined ? undefined : verifyPassphrase(owners, { [DEFAULT_PASSPHRASE_VARIABLE]: value });
    }),
  );
}
