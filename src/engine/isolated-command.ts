import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { tiedToParent } from './parent-death.js';

interface CommandResultLike {
  stdout: string;
  stderr: string;
  code: number;
}

interface AutomationInternals {
  CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => CommandResultLike;
  createCommandError: (result: CommandResultLike) => Error;
}

const require = createRequire(import.meta.url);
/** The Automation API's own result and error types, so its callers sort failures as they always do. */
const internals = (): AutomationInternals => ({
  CommandResult: (require('@pulumi/pulumi/automation/cmd.js') as AutomationInternals).CommandResult,
  createCommandError: (require('@pulumi/pulumi/automation/errors.js') as AutomationInternals).createCommandError,
});

/**
 * `command` (the Automation API's handle on the Pulumi CLI), changed in one respect: each CLI run
 * gets exactly the environment the workspace passes, not that merged into the driver's own. The
 * Automation API starts the CLI with the driver's whole environment (forge tokens, every stack's
 * passphrase, notification URLs), and the CLI hands it to its plugins and to the program. With
 * this, a stack's run sees only what `stackEnvironment` chose for it. An aborted run gets SIGINT,
 * then SIGKILL if it has not stopped `killAfterMs` later. The CLI runs in a process group of its
 * own, so a signal to the driver's group reaches it only as that one SIGINT (see parent-death.ts).
 */
export function isolatedCommand(command: PulumiCommand, killAfterMs = 60_000): PulumiCommand {
  const isolated = Object.create(command) as PulumiCommand & { run: typeof run };
  isolated.run = run;
  return isolated;

  function run(
    args: string[],
    cwd: string,
    env: Record<string, string>,
    onOutput?: (data: string) => void,
    onError?: (data: string) => void,
    signal?: AbortSignal,
  ): Promise<CommandResultLike> {
    const { CommandResult, createCommandError } = internals();
    if (!args.includes('--non-interactive')) args.push('--non-interactive');
    const cli = command.command;
    // As the Automation API does: plugins bundled beside the CLI come first.
    const fullEnv: Record<string, string> = { ...env, PULUMI_AUTOMATION_API: 'true' };
    if (path.isAbsolute(cli)) fullEnv.PATH = [path.dirname(cli), env.PATH ?? ''].join(path.delimiter);
    return new Promise((resolve, reject) => {
      // In a process group of its own, tied to this process's life: see parent-death.ts.
      const started = tiedToParent(cli, args);
      const child = spawn(started.command, started.args, { cwd, env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        onOutput?.(d);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        onError?.(d);
      });
      // SIGINT lets the CLI cancel cleanly (in-flight operations finish and are recorded); one that
      // has not stopped after `killAfterMs` (a program that never yields) is killed.
      let killer: NodeJS.Timeout | undefined;
      const abort = (): void => {
        child.kill('SIGINT');
        killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killer.unref();
      };
      signal?.addEventListener('abort', abort, { once: true });
      child.on('error', (err) => {
        signal?.removeEventListener('abort', abort);
        clearTimeout(killer);
        reject(createCommandError(new CommandResult('', err.message, -2, err)));
      });
      child.on('close', (code, sig) => {
        signal?.removeEventListener('abort', abort);
        clearTimeout(killer);
        if (code === 0) return resolve(new CommandResult(stdout, stderr, 0));
        // The same text the Automation API's own runner (execa) gives, which failure sorting reads.
        const how = code === null ? `was killed with ${sig}` : `failed with exit code ${code}`;
        const message = `Command ${how}: ${cli} ${args.join(' ')}\n${stderr}\n${stdout}`;
        const err = Object.assign(new Error(message), { exitCode: code ?? -1, signal: sig, stdout, stderr });
        reject(createCommandError(new CommandResult('', message, -2, err)));
      });
    });
  }
}
