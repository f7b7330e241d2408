import { CommandError, ConcurrentUpdateError } from '@pulumi/pulumi/automation/index.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { EventCollector } from './event-collector.js';
import { resourceName } from './event-collector.js';

function text(err: unknown): string {
  if (err instanceof CommandError) return `${err.message}`;
  return err instanceof Error ? `${err.message}` : String(err);
}

function lockHolders(message: string): string {
  const holders = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /created by|locks\//.test(l));
  return holders.length > 0 ? holders.join('; ') : 'another update';
}

/**
 * Sorts a failed engine operation into one clear error: stack locked, passphrase missing or
 * wrong, program error, provider error, cancelled, or a generic engine error. The engine's
 * own diagnostics (collected from the event stream) take precedence over stderr scraping.
 */
export function classifyFailure(stack: string, workDir: string, err: unknown, events: EventCollector, aborted: boolean): GitopsError {
  const message = text(err);
  if (aborted) return new GitopsError({ code: 'CANCELLED', kind: 'user', message: `stack ${stack}: cancelled`, cause: err });
  if (err instanceof ConcurrentUpdateError || message.includes('the stack is currently locked by')) {
    return new GitopsError({
      code: 'STACK_LOCKED',
      kind: 'external',
      message: `stack ${stack} is locked by ${lockHolders(message)}`,
      hint: `if no other update is running, clear the lock with \`gitops unlock --stack ${stack}\` (or \`pulumi cancel\` in ${workDir})`,
      cause: err,
    });
  }
  if (/passphrase must be set|PULUMI_CONFIG_PASSPHRASE(_FILE)? (environment variable )?(is )?not set/i.test(message)) {
    return new GitopsError({ code: 'PASSPHRASE_MISSING', kind: 'user', message: `stack ${stack}: no passphrase for its secrets`, hint: 'set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE', cause: err });
  }
  if (/incorrect passphrase|failed to decrypt|could not decrypt/i.test(message)) {
    return new GitopsError({ code: 'PASSPHRASE_INVALID', kind: 'user', message: `stack ${stack}: the passphrase does not decrypt this stack's secrets`, hint: 'check PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE, and the stack file\'s encryptionSalt', cause: err });
  }
  const failed = events.failedResources[0];
  const resourceError = events.errors.find((e) => e.urn && !e.urn.includes('::pulumi:pulumi:Stack::'));
  if (failed || resourceError) {
    const urn = failed?.urn ?? resourceError!.urn!;
    const detail = events.errors.find((e) => e.urn === urn)?.message ?? resourceError?.message ?? failed!.message;
    return new GitopsError({ code: 'PROVIDER_ERROR', kind: 'external', message: `stack ${stack}: resource ${resourceName(urn)} failed: ${firstLines(detail)}`, cause: err });
  }
  const programError = events.errors.find((e) => !e.urn || e.urn.includes('::pulumi:pulumi:Stack::'));
  if (programError || /program failed|unhandled exception|Running program/i.test(message)) {
    return new GitopsError({ code: 'PROGRAM_ERROR', kind: 'user', message: `stack ${stack}: the program failed: ${firstLines(programError?.message ?? message)}`, cause: err });
  }
  return new GitopsError({ code: 'ENGINE_ERROR', kind: 'external', message: `stack ${stack}: ${firstLines(engineErrorLines(message))}`, cause: err });
}

/** The CLI's own `error:` lines, without the Automation API's wrapping of stdout/stderr. */
function engineErrorLines(message: string): string {
  const errors = [...new Set(message.split('\n').filter((l) => /^\s*error: /.test(l)).map((l) => l.trim().replace(/^error: /, '')))];
  return errors.length > 0 ? errors.join('\n') : message;
}

function firstLines(s: string, n = 6): string {
  const lines = s.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return lines.slice(0, n).join('\n') + (lines.length > n ? '\n…' : '');
}
