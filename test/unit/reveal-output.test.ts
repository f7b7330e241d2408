import { describe, expect, it } from 'vitest';
import { type CliEnv, printRevealing, redactingIo } from '../../src/cli/io.js';
import { Redactor } from '../../src/secrets/redact.js';

describe('printing secrets on purpose (outputs --show-secrets)', () => {
  it('reveals only the tokens it was given; every other known secret stays redacted', () => {
    const redactor = new Redactor();
    redactor.add('asked-for-secret-1');
    redactor.add('aws-key-never-shown');
    let redacted = '';
    let raw = '';
    const io = {
      stdout: (t: string) => {
        raw += t;
      },
      stderr: () => undefined,
    };
    const cli: CliEnv = {
      cwd: '/',
      env: {},
      signal: new AbortController().signal,
      redactor,
      io: redactingIo(
        {
          stdout: (t) => {
            redacted += t;
          },
          stderr: () => undefined,
        },
        redactor,
      ),
      unredactedStdout: io.stdout,
    };
    printRevealing(cli, 'token: TOKEN-0-\nother: aws-key-never-shown\n', new Map([['TOKEN-0-', 'asked-for-secret-1']]));
    expect(raw).toBe('token: asked-for-secret-1\nother: [secret]\n');
    expect(redacted).toBe('');
  });
});
