import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const boxes: Sandbox[] = [];
afterEach(async () => {
  while (boxes.length) await boxes.pop()!.dispose();
});

async function sandbox(stacks?: Record<string, string>): Promise<Sandbox> {
  const box = await createSandbox(stacks ? { stacks, keepStacks: true } : {});
  boxes.push(box);
  return box;
}

function nothingDeployed(box: Sandbox): void {
  expect(existsSync(path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks'))).toBe(false);
  expect(existsSync(path.join(box.root, '.gitops', 'demo'))).toBe(false);
}

describe('bad input gets a clear error, the documented exit code, and changes nothing', () => {
  it('invalid YAML: exit 2, names the file and line', async () => {
    const box = await sandbox({ broken: 'program: local-base\nconfig: [oops\n' });
    const r = await box.run(['deploy', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stacks\/broken\.yaml:\d+: invalid YAML/);
    nothingDeployed(box);
  });

  it('an unknown field and a wrong type: exit 2, names file and field, all errors at once', async () => {
    const box = await sandbox({ typo: 'program: local-base\nprogramm: x\ndependsOn: 3\n' });
    const r = await box.run(['deploy', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stacks/typo.yaml:2: unknown field "programm"');
    expect(r.stderr).toMatch(/stacks\/typo\.yaml:3: dependsOn: .*array/);
    nothingDeployed(box);
  });

  it('an unknown program: exit 2', async () => {
    const box = await sandbox({ ghost: 'program: no-such-program\n' });
    const r = await box.run(['preview', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stacks/ghost.yaml: program: unknown program "no-such-program"');
    nothingDeployed(box);
  });

  it('an unknown stack on the command line: exit 2', async () => {
    const box = await sandbox();
    const r = await box.run(['deploy', '--stack', 'demo-web', '--stack', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown stack "nope"');
    nothingDeployed(box);
  });

  it('a dependency cycle: exit 2, names the cycle', async () => {
    const box = await sandbox({
      'cycle-a': 'program: local-base\ndependsOn: [cycle-b]\n',
      'cycle-b': 'program: local-base\ndependsOn: [cycle-a]\n',
    });
    const r = await box.run(['deploy', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('dependency cycle: cycle-a -> cycle-b -> cycle-a');
    nothingDeployed(box);
  });

  it('a missing passphrase: exit 2 before anything runs', async () => {
    const box = await sandbox();
    const r = await box.run(['deploy', '--all'], { PULUMI_CONFIG_PASSPHRASE: undefined, PULUMI_CONFIG_PASSPHRASE_FILE: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set');
    expect(existsSync(path.join(box.root, '.gitops', 'workspaces'))).toBe(false);
    nothingDeployed(box);
  });

  it('a wrong passphrase: exit 2 naming the stack, before any stack runs (demo-base, which has no secrets, included)', async () => {
    const box = await sandbox();
    const r = await box.run(['deploy', '--all'], { PULUMI_CONFIG_PASSPHRASE: 'not-the-demo-passphrase' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the passphrase does not decrypt the secrets of stack demo-web; nothing was run');
    expect(r.stderr).toContain('stacks/demo-web.yaml: encryptionSalt: made with another passphrase');
    expect(r.stderr).not.toContain('not-the-demo-passphrase');
    expect(r.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(existsSync(path.join(box.root, '.gitops', 'workspaces'))).toBe(false);
    nothingDeployed(box);
  });

  it('a missing catalogue folder: exit 2 naming it, never an empty catalogue that plans nothing', async () => {
    const box = await sandbox();
    const deploy = await box.run(['deploy', '--all', '--stacks', 'stacks/nowhere']);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain(`the stack catalogue folder stacks/nowhere does not exist (in ${box.root})`);
    const validate = await box.run(['validate', '--stacks', 'stacks/nowhere']);
    expect(validate.code).toBe(2);
    expect(validate.stderr).not.toContain('0 stacks valid');
    await box.remove('stacks');
    const noStacks = await box.run(['deploy', '--all']);
    expect(noStacks.code).toBe(2);
    expect(noStacks.stderr).toContain(`${box.root} has a Pulumi.yaml but no stacks/ folder, the stack catalogue`);
    nothingDeployed(box);
  });

  it('project ".." and a YAML alias bomb: exit 2 naming file, line and field, no state written outside its folder', async () => {
    const bomb = [
      'program: local-base',
      'description: &a lol',
      ...'bcdefghij'.split('').map((n, i) => `x${i + 1}: &${n} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`),
    ];
    const box = await sandbox({ escape: 'program: local-base\nproject: ".."\n', bomb: `${bomb.join('\n')}\n` });
    const r = await box.run(['deploy', '--all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stacks/escape.yaml:2: project: "." and ".." are folder names, not project names');
    expect(r.stderr).toContain('stacks/bomb.yaml: aliases expand past the limit for stack files (maxAliasCount 100)');
    expect(r.stderr).not.toContain('INTERNAL');
    expect(existsSync(path.join(box.root, '.gitops', 'state', '.pulumi', 'meta.json'))).toBe(false);
    nothingDeployed(box);
  });

  it('a program that throws: exit 1, names the stack and the cause, its dependents are skipped', async () => {
    const box = await sandbox({ thrower: 'program: thrower\n', after: 'program: local-base\ndependsOn: [thrower]\n' });
    await box.write('programs/thrower/index.ts', "export default async function () {\n  throw new Error('bucket name is not valid');\n}\n");
    const r = await box.run(['deploy', '--stack', 'thrower', '--stack', 'after', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/stack thrower: the program failed: .*bucket name is not valid/);
    const doc = JSON.parse(r.stdout) as { stacks: { name: string; status: string; error?: { code: string }; skipReason?: string }[] };
    expect(doc.stacks).toEqual([
      expect.objectContaining({ name: 'thrower', status: 'failed', error: expect.objectContaining({ code: 'PROGRAM_ERROR' }) }),
      expect.objectContaining({ name: 'after', status: 'skipped', skipReason: 'depends on thrower, which failed' }),
    ]);
    expect(existsSync(path.join(box.root, '.gitops', 'demo'))).toBe(false);
  });
});
