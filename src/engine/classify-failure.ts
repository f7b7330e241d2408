import { CommandError, ConcurrentUpdateError } from '@pulumi/pulumi/automation/index.js';
import { resourceName } from '../backend-state/urn-name.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';
import { lockedError, parseLockMessage } from '../state-lock/lock-holder.js';
import type { EventCollector } from './event-collector.js';
import { missingConfigError } from './missing-config.js';

function text(err: unknown): string {
  if (err instanceof CommandError) return `${err.message}`;
  return err instanceof Error ? `${err.message}` : String(err);
}

/**
 * Sorts a failed engine operation into one clear error: stack locked, passphrase missing or
 * wrong, program error, provider error, cancelled, or a generic engine error. The engine's
 * own diagnostics (collected from the event stream) take precedence over stderr scraping.
 */
export function classifyFailure(
  def: Pick<StackDefinition, 'name' | 'file'>,
  workDir: string,
  err: unknown,
  events: EventCollector,
  aborted: boolean,
  /** Whether the state is on a local file backend: only there can `unlock` check the holder itself. */
  fileBackend = true,
): GitopsError {
  const stack = def.name;
  const message = text(err);
  if (aborted) return new GitopsError({ code: 'CANCELLED', kind: 'user', message: `stack ${stack}: cancelled`, cause: err });
  if (err instanceof ConcurrentUpdateError || message.includes('the stack is currently locked by')) {
    return lockedError(stack, parseLockMessage(message, workDir), err, Date.now(), fileBackend);
  }
  if (/passphrase must be set|PULUMI_CONFIG_PASSPHRASE(_FILE)? (environment variable )?(is )?not set/i.test(message)) {
    return new GitopsError({
      code: 'PASSPHRASE_MISSING',
      kind: 'user',
      message: `stack ${stack}: no passphrase for its secrets`,
      hint: 'set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE',
      cause: err,
    });
  }
  if (/incorrect passphrase|failed to decrypt|could not decrypt/i.test(message)) {
    return new GitopsError({
      code: 'PASSPHRASE_INVALID',
      kind: 'user',
      message: `stack ${stack}: the passphrase does not decrypt this stack's secrets`,
      hint:
        "check PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE, the stack file's encryptionSalt, and that its secure values " +
        'were encrypted with that salt (copied whole from Pulumi.<stack>.yaml)',
      cause: err,
    });
  }
  const died = providerDeath(message, events);
  if (died) return died(stack, err);
  const reference = missingStackReference(events);
  if (reference) {
    return new GitopsError({
      code: 'DEPENDENCY_NOT_DEPLOYED',
      kind: 'user',
      message: `stack ${stack}: its StackReference finds no stack ${reference}: it has never been deployed (or was destroyed)`,
      hint: 'deploy that stack first (gitops deploy --stack NAME); declare it in dependsOn so --with-deps takes it along',
      cause: err,
    });
  }
  const failed = events.failedResources[0];
  const resourceError = events.errors.find((e) => e.urn && !e.urn.includes('::pulumi:pulumi:Stack::'));
  if (failed || resourceError) {
    const urn = failed?.urn ?? resourceError!.urn!;
    const detail = events.errors.find((e) => e.urn === urn)?.message ?? resourceError?.message ?? failed!.message;
    return new GitopsError({
      code: 'PROVIDER_ERROR',
      kind: 'external',
      message: `stack ${stack}: resource ${resourceName(urn)} failed: ${firstLines(detail)}`,
      cause: err,
    });
  }
  const programError = events.errors.find((e) => !e.urn || e.urn.includes('::pulumi:pulumi:Stack::'));
  const missing = missingConfigError(def, [message, ...events.errors.map((e) => e.message)].join('\n'), err);
  if (missing) return missing;
  if (programError || /program failed|unhandled exception|Running program/i.test(message)) {
    return new GitopsError({
      code: 'PROGRAM_ERROR',
      kind: 'user',
      message: `stack ${stack}: the program failed: ${firstLines(programError?.message ?? message)}`,
      cause: err,
    });
  }
  return new GitopsError({
    code: 'ENGINE_ERROR',
    kind: 'external',
    message: `stack ${stack}: ${firstLines(engineErrorLines(message))}`,
    cause: err,
  });
}

/** The stack a StackReference could not find (`unknown stack "org/project/stack"`), if that is what failed. */
function missingStackReference(events: EventCollector): string | undefined {
  for (const e of [...events.errors, ...events.failedResources]) {
    if (!e.urn?.includes('::pulumi:pulumi:StackReference::')) continue;
    const named = /unknown stack "([^"]+)"/.exec(e.message)?.[1];
    if (named) return named;
  }
  return undefined;
}

/** How a provider plugin that died mid-operation shows: its gRPC connection drops. */
const providerGone =
  /error reading from server: (EOF|connection reset by peer)|transport is closing|plugin exited|connection refused.*plugin/i;

/**
 * The URNs of the creates in flight when a provider process died mid-operation (an empty list
 * when it died with none in flight), or undefined when no provider died. Pulumi records them as
 * failed, not pending: whether each happened is unknown, and nothing tracks the ones that did.
 */
export function inFlightCreates(err: unknown, events: EventCollector): string[] | undefined {
  const detail = [text(err), ...events.errors.map((e) => e.message)].find((m) => providerGone.test(m));
  if (!detail) return undefined;
  return [...new Set(events.failedResources.filter((f) => f.message.startsWith('create')).map((f) => f.urn))];
}

/**
 * A provider that died mid-operation: a plain retry would create again every create it had in
 * flight (seen in test/faults: a create that finished just before the crash was made twice), so
 * the error names each one. The engine also records them (src/engine/unknown-outcome.ts) where
 * it can, and then says so in the hint.
 */
function providerDeath(message: string, events: EventCollector): ((stack: string, cause: unknown) => GitopsError) | undefined {
  const detail = [message, ...events.errors.map((e) => e.message)].find((m) => providerGone.test(m));
  if (!detail) return undefined;
  const inFlight = [...new Set((inFlightCreates(message, events) ?? []).map(resourceName))];
  return (stack, cause) =>
    new GitopsError({
      code: 'PROVIDER_ERROR',
      kind: 'external',
      message:
        `stack ${stack}: a provider process died mid-operation (${providerGone.exec(detail)![0]})` +
        (inFlight.length > 0
          ? `; these creates were in flight and may have happened, untracked: ${inFlight.join(', ')} (outcome unknown)`
          : '; the outcome of the operations in flight is unknown'),
      hint:
        'Pulumi keeps no pending operation for them, so the next deploy creates them again: first check whether each exists, ' +
        'and delete it (or `pulumi import` it) if it does; `gitops recover --import` adopts only pending creates, which these are not',
      cause,
    });
}

/** The CLI's own `error:` lines, without the Automation API's wrapping of stdout/stderr. */
function engineErrorLines(message: string): string {
  const errors = [
    ...new Set(
      message
        .split('\n')
        .filter((l) => /^\s*error: /.test(l))
        .map((l) => l.trim().replace(/^error: /, '')),
    ),
  ];
  return errors.length > 0 ? errors.join('\n') : message;
}

function firstLines(s: string, n = 6): string {
  const lines = s
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  return lines.slice(0, n).join('\n') + (lines.length > n ? '\n…' : '');
}
