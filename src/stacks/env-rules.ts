import type { StackDiagnostic } from './diagnostic.js';
import type { StackDefinition } from './schema.js';

/** Variables that belong to the driver and never to a stack: forge tokens, CI job tokens, the driver's own settings. */
const driverOnly =
  /^(GITOPS_.*|GITLAB_TOKEN|GITHUB_TOKEN|CI_JOB_TOKEN|ACTIONS_RUNTIME_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|PULUMI_CONFIG_PASSPHRASE(_FILE)?)$/;

/**
 * What a stack's `env` may not name (as the variable passed, or as its source): the driver's
 * variables (forge and CI tokens, `GITOPS_*`, the default passphrase, given to each stack by the
 * engine as it needs), and any variable another stack reads its passphrase from. Pure.
 */
export function envDiagnostics(stacks: readonly StackDefinition[]): StackDiagnostic[] {
  const passphraseOwners = new Map<string, string>();
  for (const s of stacks) if (s.secrets?.passphraseEnv) passphraseOwners.set(s.secrets.passphraseEnv, s.name);
  const diagnostics: StackDiagnostic[] = [];
  for (const s of stacks) {
    for (const [name, source] of Object.entries(s.env ?? {})) {
      for (const variable of new Set([name, source])) {
        const owner = passphraseOwners.get(variable);
        const why = driverOnly.test(variable)
          ? `${variable} belongs to the driver (forge and CI tokens, passphrases, gitops settings), never to a stack's program`
          : owner !== undefined
            ? `${variable} holds the passphrase of stack ${owner}${owner === s.name ? ' (its own, which the engine passes to Pulumi itself)' : ''}`
            : undefined;
        if (why) diagnostics.push({ file: s.file, field: `env.${name}`, message: `cannot be given to the program: ${why}` });
      }
    }
  }
  return diagnostics;
}
