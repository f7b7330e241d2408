import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * A wrong passphrase that only the engine can detect: the stack file pins no `encryptionSalt`,
 * so the check before the run has nothing to test it against, and Pulumi meets the stack's salt
 * mid-run. It is still the user's input: exit 2, naming the stack, never the passphrase.
 */
const stackFile = 'program: local-base\nconfig:\n  local-base:hostname: localhost\n  local-base:basePort: 8190\n';
const wrong = 'not-the-passphrase-4711';

interface RunDoc {
  stacks: { name: string; status: string; error?: { code: string; message: string } }[];
}

describe('a wrong passphrase met mid-run', () => {
  let box: Sandbox;
  const gitops = (passphrase: string, ...args: string[]): Promise<CliRun> => box.run(args, { PULUMI_CONFIG_PASSPHRASE: passphrase });
  const locks = (): string[] => {
    const dir = path.join(box.root, '.gitops', 'state', '.gitops', 'locks', 'local-base');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  beforeAll(async () => {
    box = await createSandbox({ stacks: { salted: stackFile } });
    const first = await gitops('gitops-demo', 'deploy', '--stack', 'salted', '--quiet');
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  for (const command of ['deploy', 'preview'] as const) {
    it(`${command}: exits 2 with PASSPHRASE_INVALID naming the stack, and leaves no lock`, async () => {
      const r = await gitops(wrong, command, '--stack', 'salted', '--json');
      expect(r.code, r.stderr).toBe(2);
      const stack = (JSON.parse(r.stdout) as RunDoc).stacks.find((s) => s.name === 'salted');
      expect(stack?.status).toBe('failed');
      expect(stack?.error?.code).toBe('PASSPHRASE_INVALID');
      expect(stack?.error?.message).toContain("stack salted: the passphrase does not decrypt this stack's secrets");
      expect(r.stdout + r.stderr).not.toContain(wrong);
      expect(locks()).toEqual([]);
    });
  }

  it('drift: exits 2 naming the stack', async () => {
    const r = await gitops(wrong, 'drift', '--stack', 'salted');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("stack salted: the passphrase does not decrypt this stack's secrets");
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });

  it('the right passphrase still deploys: the failed run changed nothing', async () => {
    const r = await gitops('gitops-demo', 'deploy', '--stack', 'salted', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RunDoc).stacks[0]?.status).toBe('succeeded');
  });
});
