import { describe, expect, it } from 'vitest';
import { stackEnvironment } from '../../src/engine/stack-env.js';
import { envDiagnostics } from '../../src/stacks/env-rules.js';
import type { StackDefinition } from '../../src/stacks/schema.js';

const stack = (over: Partial<StackDefinition> = {}): StackDefinition =>
  ({
    name: 's',
    file: 'stacks/s.yaml',
    project: 'p',
    stack: 's',
    program: 'p',
    dependsOn: [],
    config: {},
    allowDestroy: false,
    drift: { policy: 'detect' },
    ...over,
  }) as StackDefinition;

const job = {
  PATH: '/usr/bin',
  HOME: '/home/ci',
  LC_ALL: 'C.UTF-8',
  PULUMI_EXPERIMENTAL: 'true',
  PULUMI_CONFIG_PASSPHRASE: 'dev-pass',
  PULUMI_ACCESS_TOKEN: 'pul-token',
  PROD_PASSPHRASE: 'prod-pass',
  GITLAB_TOKEN: 'glpat',
  GITHUB_TOKEN: 'ghp',
  GITOPS_NOTIFY: 'slack=https://hooks',
  AWS_ACCESS_KEY_ID: 'AKIA',
  AWS_SECRET_ACCESS_KEY: 'aws-secret',
  PROD_AWS_SECRET_ACCESS_KEY: 'prod-aws-secret',
  RANDOM: 'x',
};

describe('stackEnvironment', () => {
  it('passes what a process needs and Pulumi settings, never tokens or other variables', () => {
    const { env, hidden } = stackEnvironment(stack(), job, 'file:///state');
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/ci',
      LC_ALL: 'C.UTF-8',
      PULUMI_EXPERIMENTAL: 'true',
      PULUMI_CONFIG_PASSPHRASE: 'dev-pass',
    });
    expect(hidden).toEqual(['PULUMI_CONFIG_PASSPHRASE', 'PULUMI_CONFIG_PASSPHRASE_FILE']);
  });

  it("gives a stack its own passphrase only, under Pulumi's name", () => {
    const { env } = stackEnvironment(stack({ secrets: { passphraseEnv: 'PROD_PASSPHRASE' } }), job, 'file:///state');
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe('prod-pass');
    expect(env).not.toHaveProperty('PROD_PASSPHRASE');
  });

  it("passes the S3 backend's credentials to the CLI and hides them from the program", () => {
    const { env, hidden } = stackEnvironment(stack(), job, 's3://bucket?region=eu-west-1');
    expect(env.AWS_SECRET_ACCESS_KEY).toBe('aws-secret');
    expect(hidden).toContain('AWS_SECRET_ACCESS_KEY');
    expect(env).not.toHaveProperty('PROD_AWS_SECRET_ACCESS_KEY');
  });

  it("passes a Pulumi Cloud backend's token, hidden", () => {
    const { env, hidden } = stackEnvironment(stack(), job, 'https://api.pulumi.com');
    expect(env.PULUMI_ACCESS_TOKEN).toBe('pul-token');
    expect(hidden).toContain('PULUMI_ACCESS_TOKEN');
  });

  it('passes the variables the stack names, renamed, and shows them to the program', () => {
    const def = stack({ env: { AWS_SECRET_ACCESS_KEY: 'PROD_AWS_SECRET_ACCESS_KEY', R: 'RANDOM', MISSING: 'NOT_SET' } });
    const { env, hidden } = stackEnvironment(def, job, 's3://bucket');
    expect(env.AWS_SECRET_ACCESS_KEY).toBe('prod-aws-secret');
    expect(env.R).toBe('x');
    expect(env).not.toHaveProperty('MISSING');
    expect(hidden).not.toContain('AWS_SECRET_ACCESS_KEY');
  });

  it("never shows the program the backend's, key service's or Pulumi's credentials, whatever name the stack gives them", () => {
    const def = stack({ env: { LEAK: 'AWS_SECRET_ACCESS_KEY', TOKEN: 'PULUMI_ACCESS_TOKEN', R: 'RANDOM' } });
    const { env, hidden } = stackEnvironment(def, job, 's3://bucket');
    // The CLI and its providers get them (a provider may need the same cloud account)...
    expect(env).toMatchObject({ LEAK: 'aws-secret', TOKEN: 'pul-token', R: 'x' });
    // ...the program does not.
    expect(hidden).toEqual(expect.arrayContaining(['LEAK', 'TOKEN', 'AWS_SECRET_ACCESS_KEY']));
    expect(hidden).not.toContain('R');
    // On a file backend, AWS_* is no credential of the engine's: the stack's own to give.
    expect(stackEnvironment(def, job, 'file:///state').hidden).not.toContain('LEAK');
  });
});

describe('envDiagnostics', () => {
  it('refuses forge tokens, gitops settings and passphrases, naming the field', () => {
    const prod = stack({ name: 'prod', file: 'stacks/prod.yaml', secrets: { passphraseEnv: 'PROD_PASSPHRASE' } });
    const dev = stack({
      name: 'dev',
      file: 'stacks/dev.yaml',
      env: { T: 'GITLAB_TOKEN', P: 'PROD_PASSPHRASE', GITOPS_X: 'RANDOM', OK: 'RANDOM', D: 'PULUMI_CONFIG_PASSPHRASE' },
    });
    const found = envDiagnostics([prod, dev]);
    expect(found.map((d) => d.field)).toEqual(['env.T', 'env.P', 'env.GITOPS_X', 'env.D']);
    expect(found[1]!.message).toContain('PROD_PASSPHRASE holds the passphrase of stack prod');
    expect(found.every((d) => d.file === 'stacks/dev.yaml')).toBe(true);
  });

  it('accepts a stack that names only its own variables', () => {
    expect(envDiagnostics([stack({ env: { AWS_REGION: 'AWS_REGION' } })])).toEqual([]);
  });
});
