import { createRequire } from 'node:module';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { classifyFailure } from '../../src/engine/classify-failure.js';
import { EventCollector } from '../../src/engine/event-collector.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';

// The Automation API's own factory, as its `runPulumiCmd` uses it on a failed CLI call: the
// same error classes (ConcurrentUpdateError...) the real engine produces. It is internal, so
// it is not in the typings.
const require = createRequire(import.meta.url);
const { createCommandError } = require('@pulumi/pulumi/automation/errors.js') as { createCommandError: (r: unknown) => Error };
const { CommandResult } = require('@pulumi/pulumi/automation/cmd.js') as {
  CommandResult: new (stdout: string, stderr: string, code: number) => unknown;
};

const stackUrn = 'urn:pulumi:demo-web::local-site::pulumi:pulumi:Stack::local-site-demo-web';
const fileUrn = 'urn:pulumi:demo-web::local-site::pulumi-nodejs:dynamic:Resource::index-html';

/** A failed CLI call, as the Automation API reports it: stderr and stdout as the CLI printed them (recorded). */
function cliFailure(stderr: string, stdout = ''): Error {
  return createCommandError(new CommandResult(stdout, stderr, 255));
}

function collected(events: Partial<EngineEvent>[]): EventCollector {
  const c = new EventCollector('demo-web', () => undefined, false);
  for (const e of events) c.handle({ sequence: 0, timestamp: 0, ...e } as EngineEvent);
  return c;
}

const classify = (err: unknown, events: Partial<EngineEvent>[] = [], aborted = false) =>
  classifyFailure(
    { name: 'demo-web', file: 'stacks/team/demo-web.yaml' },
    '/repo/.gitops/workspaces/demo-web',
    err,
    collected(events),
    aborted,
  );

describe('failure classification from recorded engine output', () => {
  it('a lock held by another update: STACK_LOCKED naming the holder and how to clear it', () => {
    const err = cliFailure(
      [
        'error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.',
        '  file:///repo/.gitops/state/.pulumi/locks/organization/local-site/demo-web/7c2b.json: created by root@runner-7 (pid 4242) at 2026-11-27T10:00:00Z',
      ].join('\n'),
    );
    const error = classify(err);
    expect(error).toMatchObject({ code: 'STACK_LOCKED', kind: 'external' });
    expect(error.message).toContain('created by root@runner-7 (pid 4242)');
    expect(error.hint).toContain('gitops unlock --stack demo-web');
    expect(exitCodeFor(error)).toBe(1);
  });

  it('no passphrase: PASSPHRASE_MISSING, a usage error', () => {
    const err = cliFailure(
      'error: constructing secrets manager of type "passphrase": passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables',
    );
    const error = classify(err);
    expect(error.code).toBe('PASSPHRASE_MISSING');
    expect(exitCodeFor(error)).toBe(2);
  });

  it('a wrong passphrase: PASSPHRASE_INVALID naming the stack, a usage error', () => {
    const err = cliFailure(
      'error: getting secrets manager: incorrect passphrase, please set PULUMI_CONFIG_PASSPHRASE to the correct passphrase or set PULUMI_CONFIG_PASSPHRASE_FILE to a file containing the passphrase',
    );
    const error = classify(err);
    expect(error.code).toBe('PASSPHRASE_INVALID');
    expect(error.message).toContain('demo-web');
    expect(exitCodeFor(error)).toBe(2);
  });

  it('a provider failure names the resource, from the engine events rather than stderr', () => {
    const events = [
      {
        resOpFailedEvent: {
          metadata: { op: 'create', urn: fileUrn, type: 'pulumi-nodejs:dynamic:Resource', provider: '' },
          status: 1,
          steps: 0,
        },
      },
      {
        diagnosticEvent: {
          urn: fileUrn,
          message: "EACCES: permission denied, open '/srv/index.html'\n",
          color: 'never',
          severity: 'error',
        },
      },
    ] as Partial<EngineEvent>[];
    const error = classify(cliFailure('error: update failed'), events);
    expect(error).toMatchObject({ code: 'PROVIDER_ERROR', kind: 'external' });
    expect(error.message).toBe("stack demo-web: resource index-html failed: EACCES: permission denied, open '/srv/index.html'");
  });

  it('a StackReference to a stack never deployed: DEPENDENCY_NOT_DEPLOYED naming it, not a provider failure', () => {
    const refUrn = 'urn:pulumi:demo-web::local-site::pulumi:pulumi:StackReference::organization/local-base/demo-base';
    const events = [
      {
        resOpFailedEvent: {
          metadata: { op: 'read', urn: refUrn, type: 'pulumi:pulumi:StackReference', provider: '' },
          status: 1,
          steps: 0,
        },
      },
      {
        diagnosticEvent: {
          urn: refUrn,
          message: 'Preview failed: unknown stack "organization/local-base/demo-base"\n',
          color: 'never',
          severity: 'error',
        },
      },
    ] as Partial<EngineEvent>[];
    const error = classify(cliFailure('error: preview failed'), events);
    expect(error).toMatchObject({ code: 'DEPENDENCY_NOT_DEPLOYED', kind: 'user' });
    expect(error.message).toBe(
      'stack demo-web: its StackReference finds no stack organization/local-base/demo-base: it has never been deployed (or was destroyed)',
    );
    expect(error.hint).toContain('gitops deploy --stack');
  });

  it("a program that threw: PROGRAM_ERROR with the program's message", () => {
    const events = [
      {
        diagnosticEvent: {
          urn: stackUrn,
          message: 'Error: the site title must not be empty\n',
          color: 'never',
          severity: 'error',
        },
      },
    ] as Partial<EngineEvent>[];
    const error = classify(cliFailure('error: an unhandled error occurred: Program exited with non-zero exit code: 1'), events);
    expect(error.code).toBe('PROGRAM_ERROR');
    expect(error.message).toContain('the site title must not be empty');
    expect(exitCodeFor(error)).toBe(1);
  });

  it('a config value the program requires and the stack file lacks: names the stack file and gitops config set', async () => {
    // The SDK's own error, as a program's `config.requireSecret` throws it.
    const pulumi = await import('@pulumi/pulumi');
    let thrown = '';
    try {
      new pulumi.Config('local-site').requireSecret('title');
    } catch (err) {
      thrown = (err as Error).message;
    }
    expect(thrown).toContain("Missing required configuration variable 'local-site:title'");
    const events = [
      { diagnosticEvent: { urn: stackUrn, message: `Error: ${thrown}\n`, color: 'never', severity: 'error' } },
    ] as Partial<EngineEvent>[];
    const error = classify(cliFailure('error: an unhandled error occurred: Program exited with non-zero exit code: 1'), events);
    expect(error.code).toBe('PROGRAM_ERROR');
    expect(error.message).toBe(
      'stack demo-web: the program needs config value local-site:title, which the stack file stacks/team/demo-web.yaml does not set',
    );
    expect(error.hint).toBe(
      'add it under config: in stacks/team/demo-web.yaml, or run: gitops config set demo-web local-site:title - --secret (the value on stdin)',
    );
    expect(error.hint).not.toContain('pulumi config set');
  });

  it('anything aborted by the signal is CANCELLED (exit 130), whatever the CLI printed', () => {
    const error = classify(cliFailure('error: update canceled'), [], true);
    expect(error.code).toBe('CANCELLED');
    expect(exitCodeFor(error)).toBe(130);
  });

  it("an unknown engine failure keeps only the CLI's own error lines", () => {
    const stdout = 'Updating (demo-web):\n';
    const error = classify(cliFailure('warning: something minor\nerror: failed to load checkpoint: unexpected end of JSON input', stdout));
    expect(error).toMatchObject({
      code: 'ENGINE_ERROR',
      message: 'stack demo-web: failed to load checkpoint: unexpected end of JSON input',
    });
  });
});
