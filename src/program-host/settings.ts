import type { IgnoreChangesRule } from './ignore-changes.js';

/**
 * What the engine tells the program host of one run, through the environment of the Pulumi CLI
 * (the host is the CLI's language plugin, so the CLI's environment is the only channel). The
 * host reads these variables and removes them, with the variables {@link HIDDEN_VARIABLE} names,
 * before the program's code loads.
 */
export interface HostSettings {
  /** The program's entry file (absolute). */
  program: string;
  /** The folder the program runs in (its working directory). */
  cwd: string;
  /**
   * Set when the driver starts the host itself, ahead of the CLI (a warm host): it readies the
   * SDK and the TypeScript loader at once and writes its port here, where the plugin script the
   * CLI starts (`pulumi-language-gitops`) reads it, instead of printing it.
   */
  portFile?: string;
  /** Properties to leave as they are live (drift remediation: fields managed elsewhere). */
  ignoreChanges?: IgnoreChangesRule[];
  /** `gitops validate`: load the program once, without the engine, and write its form here (see `check-form.ts`). */
  check?: FormCheckRequest;
}

/** What the host needs to load a program without the engine: the stack it loads as, and that stack's plain config. */
export interface FormCheckRequest {
  /** The file descriptor the host writes its {@link FormCheckResult} to, as JSON (a pipe: the checkout may be read-only to it). */
  resultFd: number;
  project: string;
  stack: string;
  /** Config as the engine would give it (`project:key` -> text); secret values stand in as placeholders. */
  config: Record<string, string>;
  secretKeys: string[];
}

/** The program's form, or the problem that keeps it from running (its first lines). */
export type FormCheckResult = { ok: true; form: 'function' | 'exports' } | { ok: false; problem: string };

/** The one variable that carries {@link HostSettings}, as JSON. */
export const HOST_SETTINGS_VARIABLE = 'GITOPS_PROGRAM_HOST';

/**
 * Comma-separated names of variables the CLI needs but the program must not see: the passphrase,
 * the state backend's and key service's credentials. The program host and the dynamic-provider
 * plugin (which runs the program's own provider code) remove them.
 */
export const HIDDEN_VARIABLE = 'GITOPS_PROGRAM_HIDDEN';

/** For the plugin script the CLI starts: the warm host's port file (see `HostSettings.portFile`). */
export const PORT_FILE_VARIABLE = 'GITOPS_PROGRAM_PORT_FILE';

/** The runtime name in the generated project settings: Pulumi then starts `pulumi-language-gitops`. */
export const HOST_RUNTIME = 'gitops';

/** The variable, for the CLI's environment. Pure. */
export function encodeHostSettings(settings: HostSettings): Record<string, string> {
  return { [HOST_SETTINGS_VARIABLE]: JSON.stringify(settings) };
}

/** The names {@link HIDDEN_VARIABLE} lists in `env`. Pure. */
export function hiddenVariables(env: NodeJS.ProcessEnv): string[] {
  return (env[HIDDEN_VARIABLE] ?? '').split(',').filter(Boolean);
}

/** The settings from the host's environment; throws a message naming the variable when they are missing or malformed. */
export function decodeHostSettings(env: NodeJS.ProcessEnv): HostSettings {
  const raw = env[HOST_SETTINGS_VARIABLE];
  if (!raw) throw new Error(`${HOST_SETTINGS_VARIABLE} is not set: this plugin runs only under gitops`);
  const parsed = JSON.parse(raw) as Partial<HostSettings>;
  if (typeof parsed.program !== 'string' || typeof parsed.cwd !== 'string') {
    throw new Error(`${HOST_SETTINGS_VARIABLE} is malformed: it needs program and cwd`);
  }
  return parsed as HostSettings;
}
