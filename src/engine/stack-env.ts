import type { StackDefinition } from '../stacks/schema.js';
import { passphraseVariable, usesPassphrase } from './secrets-provider.js';

/**
 * The job's variables that any engine run may pass on: what a process needs to run at all, and
 * Pulumi's own settings (`PULUMI_*`, less its credentials, which are added per backend below).
 */
const baseVariables = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TERM',
  'NO_COLOR',
  'CI',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'KUBECONFIG',
]);
const basePrefixes = ['LC_', 'PULUMI_'];

/** Pulumi's credentials: never passed on by the base rule. */
const pulumiCredentials = new Set(['PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE', 'PULUMI_ACCESS_TOKEN']);

/** The variables a state backend or key service of each scheme reads its credentials from. */
const credentialsByScheme: Record<string, RegExp> = {
  s3: /^AWS_/,
  awskms: /^AWS_/,
  azblob: /^AZURE_/,
  azurekeyvault: /^AZURE_/,
  gs: /^(GOOGLE_|CLOUDSDK_)/,
  gcpkms: /^(GOOGLE_|CLOUDSDK_)/,
  hashivault: /^VAULT_/,
  https: /^PULUMI_ACCESS_TOKEN$/,
  http: /^PULUMI_ACCESS_TOKEN$/,
};

/** The environment of one stack's engine run, and which of its variables the program must not see. */
export interface StackEnvironment {
  /** Exactly what the Pulumi CLI (and so its providers) gets; nothing else of the job's environment. */
  env: Record<string, string>;
  /** Variables the CLI needs but the program must not see: the passphrase, the backend's and key service's credentials. */
  hidden: string[];
}

/**
 * The environment of one stack's run, built from an allowlist. The Pulumi CLI, its providers and
 * the program's host get:
 * - what a process needs (PATH, HOME, locale, proxies and CA files) and Pulumi's own settings;
 * - the credentials of the state backend and of the stack's secrets provider (by URL scheme), and
 *   the stack's own passphrase, all hidden from the program;
 * - the variables the stack file names in `env`; one whose source is such a credential is hidden
 *   from the program too.
 *
 * Never the forge tokens, notification URLs, other stacks' passphrases or the driver's own
 * settings (`GITOPS_*`), unless a stack names one, which validation refuses. Pure.
 */
export function stackEnvironment(def: StackDefinition, jobEnv: NodeJS.ProcessEnv, backendUrl: string): StackEnvironment {
  const env: Record<string, string> = {};
  const hidden = new Set<string>();
  for (const [name, value] of Object.entries(jobEnv)) {
    if (value === undefined || pulumiCredentials.has(name)) continue;
    if (baseVariables.has(name) || basePrefixes.some((p) => name.startsWith(p))) env[name] = value;
  }
  const schemes = [schemeOf(backendUrl), def.secretsProvider ? schemeOf(def.secretsProvider) : undefined];
  for (const scheme of schemes) {
    const pattern = scheme && credentialsByScheme[scheme];
    if (!pattern) continue;
    for (const [name, value] of Object.entries(jobEnv)) {
      if (value === undefined || !pattern.test(name)) continue;
      env[name] = value;
      hidden.add(name);
    }
  }
  if (usesPassphrase(def)) {
    const variable = passphraseVariable(def);
    const passphrase = jobEnv[variable];
    if (passphrase !== undefined) env.PULUMI_CONFIG_PASSPHRASE = passphrase;
    else if (variable === 'PULUMI_CONFIG_PASSPHRASE' && jobEnv.PULUMI_CONFIG_PASSPHRASE_FILE) {
      env.PULUMI_CONFIG_PASSPHRASE_FILE = jobEnv.PULUMI_CONFIG_PASSPHRASE_FILE;
    }
    hidden.add('PULUMI_CONFIG_PASSPHRASE');
    hidden.add('PULUMI_CONFIG_PASSPHRASE_FILE');
  }
  // The credentials the engine holds for the backend and the key service (and Pulumi's own) stay
  // the engine's: a stack file that names one as a source gets it for the CLI and its providers,
  // hidden from the program like the original.
  const credentials = new Set([...hidden, ...pulumiCredentials]);
  for (const [name, source] of Object.entries(def.env ?? {})) {
    const value = jobEnv[source];
    if (value === undefined) continue;
    env[name] = value;
    if (credentials.has(source)) hidden.add(name);
    else hidden.delete(name);
  }
  return { env, hidden: [...hidden].sort() };
}

function schemeOf(url: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
}
