import { writeFileSync } from 'node:fs';
import { credentialValues } from '../report/credential-env.js';
import { Redactor } from '../report/redact.js';
import { withIgnoreChanges } from './ignore-changes.js';
import { programOf } from './load-program.js';
import { sdkFor } from './sdk.js';
import { learnSecretsAsMade } from './secret-hook.js';
import { serveProgram } from './serve.js';
import { decodeHostSettings, HIDDEN_VARIABLE, HOST_SETTINGS_VARIABLE, type HostRunStatus, hiddenVariables } from './settings.js';
import { registerTypeScript } from './typescript-loader.js';

/**
 * The program host: Pulumi's language plugin for gitops stacks (`pulumi-language-gitops`). The
 * Pulumi CLI starts it for each operation that runs a program, so every preview and update runs
 * the program in a fresh process of its own, outside the driver that decides what runs:
 *
 * - its environment is the CLI's, which the driver builds from an allowlist, less what the
 *   engine needs but the program must not see (the passphrase, the state backend's credentials);
 * - what it prints goes to the engine, which passes it on as diagnostics to the driver (whose
 *   redactor sees every line), never to the driver's stdout. Here it is redacted once already,
 *   with what this process knows: the credentials it was started with, secret config and every
 *   `pulumi.secret(...)` the program makes, learned the moment it is made.
 *
 * Writes the port it serves on as its first line, as the engine expects.
 */
export async function runProgramHost(proc: NodeJS.Process): Promise<void> {
  const settings = decodeHostSettings(proc.env);
  const redactor = new Redactor();
  redactor.addAll(credentialValues(proc.env));
  for (const name of [HOST_SETTINGS_VARIABLE, HIDDEN_VARIABLE, ...hiddenVariables(proc.env)]) delete proc.env[name];
  proc.chdir(settings.cwd);

  const sdk = sdkFor(settings.program);
  const program = async () => {
    learnSecretsAsMade(sdk, (value) => learnValue(redactor, value));
    await registerTypeScript();
    return withIgnoreChanges(programOf(settings.program), settings.ignoreChanges, (t) => sdk.runtime().registerResourceTransform(t));
  };
  const onRun = (state: HostRunStatus['state']): void => {
    const status: HostRunStatus = { state, pid: proc.pid };
    writeFileSync(settings.statusFile, `${JSON.stringify(status)}\n`);
  };
  const { port } = await serveProgram({ sdk, program, learnSecret: (v) => learnValue(redactor, v), onRun });
  proc.stdout.write(`${port}\n`);
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
