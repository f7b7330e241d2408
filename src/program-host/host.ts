import { renameSync, writeFileSync } from 'node:fs';
import { credentialValues } from '../secrets/credential-env.js';
import { Redactor } from '../secrets/redact.js';
import { checkProgramForm } from './check-form.js';
import { withIgnoreChanges } from './ignore-changes.js';
import { programOf } from './load-program.js';
import { sdkFor } from './sdk.js';
import { learnSecretsAsMade } from './secret-hook.js';
import { serveProgram } from './serve.js';
import { decodeHostSettings, HIDDEN_VARIABLE, HOST_SETTINGS_VARIABLE, hiddenVariables } from './settings.js';
import { registerTypeScript } from './typescript-loader.js';

/**
 * The program host: what runs a stack's program for the Pulumi engine, reached through gitops's
 * language plugin (`pulumi-language-gitops`). The driver starts one for each operation that runs
 * a program (the plugin starts one itself when run alone), so every preview and update runs the
 * program in a fresh process of its own, outside the driver that decides what runs:
 *
 * - its environment is the stack's, which the driver builds from an allowlist, less what the
 *   engine needs but the program must not see (the passphrase, the state backend's credentials);
 * - what it prints goes to the driver (or the engine), which passes it on as diagnostics of the
 *   stack (redacted when printed), never to the driver's stdout. Here it is redacted once already,
 *   with what this process knows: the credentials it was started with, secret config and every
 *   `pulumi.secret(...)` the program makes, learned the moment it is made.
 *
 * Writes the port it serves on as its first line, as the engine expects; or, started by the
 * driver ahead of the CLI (`HostSettings.portFile`), to the port file the plugin script hands on.
 */
export async function runProgramHost(proc: NodeJS.Process): Promise<void> {
  const settings = decodeHostSettings(proc.env);
  const redactor = new Redactor();
  redactor.addAll(credentialValues(proc.env));
  for (const name of [HOST_SETTINGS_VARIABLE, HIDDEN_VARIABLE, ...hiddenVariables(proc.env)]) delete proc.env[name];
  proc.chdir(settings.cwd);

  const sdk = sdkFor(settings.program);
  if (settings.check) {
    // Whatever the program's top-level code left running (timers, sockets), the check is over.
    await checkProgramForm(sdk, settings.program, settings.check);
    proc.exit(0);
  }
  const program = async () => {
    learnSecretsAsMade(sdk, (value) => learnValue(redactor, value));
    await registerTypeScript();
    return withIgnoreChanges(programOf(settings.program), settings.ignoreChanges, (t) => sdk.runtime().registerResourceTransform(t));
  };
  const { port } = await serveProgram({ sdk, program, learnSecret: (v) => learnValue(redactor, v), eager: !!settings.portFile });
  if (settings.portFile) {
    // Whole or not at all: the plugin script reads it as soon as it is there.
    writeFileSync(`${settings.portFile}.tmp`, `${port}\n`);
    renameSync(`${settings.portFile}.tmp`, settings.portFile);
  } else {
    proc.stdout.write(`${port}\n`);
  }
  redactWrites(proc.stdout, redactor);
  redactWrites(proc.stderr, redactor);
}

/** Teaches the redactor a secret value: a string, or each leaf of a structured value. */
function learnValue(redactor: Redactor, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value === 'string') {
    redactor.add(value);
    if (/^[[{]/.test(value.trim())) {
      try {
        learnValue(redactor, JSON.parse(value));
      } catch {
        // Not JSON: the string itself is the secret.
      }
    }
  } else if (typeof value === 'object') {
    for (const v of Object.values(value)) learnValue(redactor, v);
  } else {
    redactor.add(String(value));
  }
}

/** Every later write to the stream is redacted first (console.log, console.error, process.stdout.write). */
function redactWrites(stream: NodeJS.WriteStream, redactor: Redactor): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : String(chunk);
    const encoding = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return write(redactor.redact(text), ...encoding);
  }) as NodeJS.WriteStream['write'];
}
