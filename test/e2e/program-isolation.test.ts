import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { encryptConfig } from '../helpers/secrets.js';

/**
 * A stack's program runs in a process of its own, with an environment built from an allowlist,
 * and everything it prints passes the redactor: a hostile program in an unprotected stack can
 * neither switch off the gate of a protected stack in the same run, nor read the job's tokens,
 * nor print a secret. All on the real engine.
 */
const PASSPHRASE = 'gitops-demo';
const PROD_PASSPHRASE = 'prod-passphrase-7c1e90ab';
const GITLAB_TOKEN = 'glpat-canary-3f9b2c71d0';
const GITHUB_TOKEN = 'ghp_canary_b81e44c2a9f0';
const CLOUD_KEY = 'cloud-key-canary-55aa0e7f';
const CONFIG_SECRET = 'config-secret-canary-d4e5f6a7';
const LITERAL = 'literal-secret-canary-90c1b2';

/** Every form a leak is printed in. */
const encodings = (s: string): string[] => [
  s,
  Buffer.from(s).toString('base64'),
  Buffer.from(s).toString('hex'),
  encodeURIComponent(`${s}&x`),
  JSON.stringify({ v: s }),
];
const canaries = [PASSPHRASE, PROD_PASSPHRASE, GITLAB_TOKEN, GITHUB_TOKEN, CLOUD_KEY, CONFIG_SECRET, LITERAL];

/** Tampers, at import, with what the driver's decisions are made of; then deploys a file. */
const hostileProgram = `import { writeFileSync, mkdirSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

const get = Map.prototype.get;
Map.prototype.get = function (key) { return key === 'z-guarded' ? undefined : get.call(this, key); };
const includes = Array.prototype.includes;
Array.prototype.includes = function (v, ...rest) { return v === 'z-guarded' ? true : includes.call(this, v, ...rest); };
const parse = JSON.parse;
JSON.parse = (text, ...rest) => (typeof text === 'string' && text.includes('z-guarded') ? {} : parse(text, ...rest));
process.exit = (() => undefined) as never;

export default async function program() {
  const dir = demoDir(pulumi.getStack());
  mkdirSync(dir, { recursive: true });
  // What the program can see of the job's environment: its own, and any other process's through /proc.
  writeFileSync(dir + '/env.json', JSON.stringify(process.env));
  const { readdirSync, readFileSync } = await import('node:fs');
  const others = readdirSync('/proc').filter((p) => /^[0-9]+$/.test(p)).flatMap((p) => {
    try { return [readFileSync('/proc/' + p + '/environ', 'utf8')]; } catch { return []; }
  });
  writeFileSync(dir + '/proc-environ.json', JSON.stringify(others));
  // Rewrite what a later stack runs: its program and its stack file.
  const tampering = ['programs/guarded/index.ts', 'stacks/z-guarded.yaml'].map((f) => {
    try { writeFileSync(f, 'export default async () => ({ pwned: true });'); return f + ': written'; } catch (e) { return f + ': ' + e.code; }
  });
  writeFileSync(dir + '/tampering.json', JSON.stringify(tampering));
  const secret = new pulumi.Config().requireSecret('secret');
  const literal = pulumi.secret('${LITERAL}');
  const known = ${JSON.stringify([PASSPHRASE, PROD_PASSPHRASE, GITLAB_TOKEN, GITHUB_TOKEN, CLOUD_KEY, LITERAL])};
  const leak = (s) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex'), encodeURIComponent(s + '&x'), JSON.stringify({ v: s })];
  for (const s of known) for (const form of leak(s)) {
    console.log('leak ' + form);
    console.error('leak ' + form);
    process.stdout.write('leak ' + form + '\\n');
  }
  for (const v of Object.values(process.env)) if (v) console.log('env ' + v);
  secret.apply((s) => { for (const form of leak(s)) console.log('config leak ' + form); });
  new LocalFile('marker', { path: dir + '/marker.txt', content: 'ran' });
  // The program's own provider code runs in the dynamic-provider plugin: what can it see?
  const envDump = {
    async create(inputs) {
      const fs = await import('node:fs');
      fs.writeFileSync(inputs.file, JSON.stringify(process.env));
      return { id: 'env', outs: inputs };
    },
  };
  new pulumi.dynamic.Resource(envDump, 'provider-env', { file: dir + '/provider-env.json' });
  return { literal };
}
`;

const guardedProgram = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';
export default async function program() {
  const port = new pulumi.Config().require('port');
  new LocalFile('port', { path: demoDir(pulumi.getStack()) + '/port.txt', content: port });
  return { port };
}
`;

describe('programs run outside the driver', () => {
  let box: Sandbox;
  const runs: CliRun[] = [];
  const env = {
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PROD_PASSPHRASE,
    GITLAB_TOKEN,
    GITHUB_TOKEN,
    AWS_SECRET_ACCESS_KEY: CLOUD_KEY,
    DEPLOY_REGION: 'eu-canary-1',
  };

  beforeAll(async () => {
    const secrets = await encryptConfig('open', 'a-open', PASSPHRASE, { 'open:secret': CONFIG_SECRET });
    box = await createSandbox({
      stacks: {
        'a-open': stringify({
          program: 'open',
          config: secrets.config,
          encryptionSalt: secrets.encryptionSalt,
          env: { REGION: 'DEPLOY_REGION', CLOUD_KEY: 'AWS_SECRET_ACCESS_KEY' },
        }),
        'z-guarded': stringify({
          program: 'guarded',
          config: { 'guarded:port': '8000' },
          approvals: { required: 1 },
          secrets: { passphraseEnv: 'PROD_PASSPHRASE' },
        }),
      },
    });
    await box.write('programs/open/index.ts', 'export default async () => ({});\n');
    await box.write('programs/guarded/index.ts', guardedProgram);
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'base']);
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'first deploy'], env);
    expect(first.code, first.stderr).toBe(0);
    // The merge request: a hostile program for the open stack, and a change to the guarded one.
    await box.write('programs/open/index.ts', hostileProgram);
    await box.write(
      'stacks/z-guarded.yaml',
      (await readFile(path.join(box.root, 'stacks/z-guarded.yaml'), 'utf8')).replace('8000', '6666'),
    );
    await runGit(box.root, ['commit', '-q', '-am', 'hostile']);
    expect(await runGit(box.root, ['diff', '--name-only', 'HEAD~1'])).toBe('programs/open/index.ts\nstacks/z-guarded.yaml\n');
  }, 600_000);
  afterAll(async () => {
    await box?.dispose();
  });

  it("a program that tampers with the driver cannot switch off a protected stack's gate", async () => {
    const preview = await box.run(['preview', '--base', 'HEAD~1', '--json', '--markdown', 'report.md'], env);
    runs.push(preview);
    expect(() => JSON.parse(preview.stdout), preview.stdout).not.toThrow();
    const deploy = await box.run(['deploy', '--base', 'HEAD~1', '--json'], env);
    runs.push(deploy);
    expect(() => JSON.parse(deploy.stdout), deploy.stdout).not.toThrow();
    const result = JSON.parse(deploy.stdout) as { stacks: { name: string; status: string; error?: { message: string } }[] };
    const byName = Object.fromEntries(result.stacks.map((s) => [s.name, s]));
    // The hostile program ran, and its stack deployed.
    expect(byName['a-open']?.status, deploy.stderr).toBe('succeeded');
    expect(await readFile(path.join(box.root, '.gitops/demo/a-open/marker.txt'), 'utf8')).toBe('ran');
    // The protected stack was refused, and live is what it was.
    expect(byName['z-guarded']?.status).not.toBe('succeeded');
    expect(deploy.stderr).toMatch(/z-guarded[\s\S]*approval/);
    expect(deploy.code).not.toBe(0);
    expect(await readFile(path.join(box.root, '.gitops/demo/z-guarded/port.txt'), 'utf8')).toBe('8000');
  });

  it.each(['env.json', 'provider-env.json'])('the program, and its provider code, see only the allowlist (%s)', async (dump) => {
    const seen = JSON.parse(await readFile(path.join(box.root, '.gitops/demo/a-open', dump), 'utf8')) as Record<string, string>;
    expect(seen.REGION).toBe('eu-canary-1');
    expect(seen.CLOUD_KEY).toBe(CLOUD_KEY);
    for (const name of [
      'GITLAB_TOKEN',
      'GITHUB_TOKEN',
      'PROD_PASSPHRASE',
      'PULUMI_CONFIG_PASSPHRASE',
      'PULUMI_CONFIG_PASSPHRASE_FILE',
      'AWS_SECRET_ACCESS_KEY',
      'DEPLOY_REGION',
      'GITOPS_ALLOW_EPHEMERAL_STATE',
      'GITOPS_PROGRAM_HOST',
      'GITOPS_PROGRAM_HIDDEN',
    ]) {
      expect(seen, name).not.toHaveProperty(name);
    }
    for (const value of Object.values(seen))
      for (const c of [PASSPHRASE, PROD_PASSPHRASE, GITLAB_TOKEN, GITHUB_TOKEN]) expect(value).not.toContain(c);
  });

  it("the program cannot read the driver's or the job's environment through /proc", async () => {
    const environs = JSON.parse(await readFile(path.join(box.root, '.gitops/demo/a-open/proc-environ.json'), 'utf8')) as string[];
    // It reads its own (the check is not vacuous), and nothing of the job's.
    expect(environs.some((e) => e.includes('eu-canary-1'))).toBe(true);
    for (const e of environs) for (const c of [GITLAB_TOKEN, GITHUB_TOKEN, PROD_PASSPHRASE, PASSPHRASE]) expect(e).not.toContain(c);
  });

  it("the program cannot change another stack's program or stack file", async () => {
    const tampering = JSON.parse(await readFile(path.join(box.root, '.gitops/demo/a-open/tampering.json'), 'utf8')) as string[];
    expect(tampering).toEqual(['programs/guarded/index.ts: EROFS', 'stacks/z-guarded.yaml: EROFS']);
    expect(await readFile(path.join(box.root, 'programs/guarded/index.ts'), 'utf8')).toBe(guardedProgram);
    expect(await runGit(box.root, ['status', '--porcelain'])).toBe('');
  });

  it('nothing the program prints leaks, in any encoding, anywhere', async () => {
    expect(runs).toHaveLength(2);
    const report = await readFile(path.join(box.root, 'report.md'), 'utf8');
    const outputs = [...runs.flatMap((r) => [r.stdout, r.stderr]), report];
    // The program did print (redacted), so the check is not vacuous.
    expect(runs[1]!.stderr).toContain('leak [secret]');
    expect(runs[1]!.stderr).toContain('config leak [secret]');
    for (const text of outputs) for (const c of canaries) for (const form of encodings(c)) expect(text).not.toContain(form);
  });

  it('a blank passphrase is refused like an empty one', async () => {
    const r = await box.run(['preview', '--stack', 'a-open'], { ...env, PULUMI_CONFIG_PASSPHRASE: '  \t ' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PULUMI_CONFIG_PASSPHRASE is only whitespace');
  });

  it("validate refuses a stack that asks for a forge token or another stack's passphrase", async () => {
    await box.write(
      'stacks/thief.yaml',
      stringify({ program: 'guarded', config: { 'guarded:port': '1' }, env: { TOKEN: 'GITLAB_TOKEN', P: 'PROD_PASSPHRASE' } }),
    );
    const r = await box.run(['validate'], env);
    await box.remove('stacks/thief.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stacks/thief.yaml');
    expect(r.stderr).toContain('env.TOKEN');
    expect(r.stderr).toContain('GITLAB_TOKEN belongs to the driver');
    expect(r.stderr).toContain('PROD_PASSPHRASE holds the passphrase of stack z-guarded');
    expect(existsSync(path.join(box.root, 'stacks/thief.yaml'))).toBe(false);
  });
});
