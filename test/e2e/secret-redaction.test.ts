import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { encryptConfig } from '../helpers/secrets.js';

/**
 * Canary secrets, in config and in program outputs, leaked on purpose in the ways programs
 * leak them (a log line in base64, an unsecret output, a multi-line certificate): none may
 * reach the console, the JSON, or the merge request report.
 */
const TOKEN = 'canary-token-4e7b1f0a';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIcanaryCertLineOne0123\nMIIcanaryCertLineTwo4567\n-----END CERTIFICATE-----';
const OUTPUT = 'canary-output-9d3c55e1';
const forms = [
  TOKEN,
  Buffer.from(TOKEN).toString('base64'),
  'MIIcanaryCertLineOne0123',
  'MIIcanaryCertLineTwo4567',
  Buffer.from(CERT).toString('base64'),
  OUTPUT,
];

const program = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program() {
  const config = new pulumi.Config();
  const token = config.requireSecret('token');
  const cert = config.requireSecret('cert');
  // Leaks a program might commit: a debug log in base64, and outputs made plain.
  token.apply((t) => pulumi.log.info('debug token ' + Buffer.from(t).toString('base64')));
  cert.apply((c) => pulumi.log.info('debug cert ' + Buffer.from(c).toString('base64')));
  new LocalFile('secret-file', { path: demoDir(pulumi.getStack()) + '/secret.txt', content: pulumi.interpolate\`\${token}\\n\${cert}\\n\`, mode: '600' });
  return { leakedToken: pulumi.unsecret(token), leakedCert: pulumi.unsecret(cert), secretOut: pulumi.secret('${OUTPUT}'), label: config.get('label') ?? 'v1' };
}
`;

describe('secrets never reach logs, JSON or reports', () => {
  let box: Sandbox;
  const runs: CliRun[] = [];

  beforeAll(async () => {
    const secrets = await encryptConfig('canary', 'canary', 'gitops-demo', { 'canary:token': TOKEN, 'canary:cert': CERT });
    box = await createSandbox({
      stacks: {
        canary: stringify({
          program: 'canary',
          config: { ...secrets.config, 'canary:label': 'v1' },
          encryptionSalt: secrets.encryptionSalt,
        }),
      },
    });
    await box.write('programs/canary/index.ts', program);
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'canary']);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('deploy: outputs and logs are redacted', async () => {
    const r = await box.run(['deploy', '--stack', 'canary', '--json']);
    runs.push(r);
    expect(r.code, r.stderr).toBe(0);
    const outputs = (JSON.parse(r.stdout) as { stacks: { outputs: Record<string, unknown> }[] }).stacks[0]!.outputs;
    expect(outputs).toMatchObject({ leakedToken: '[secret]', secretOut: '[secret]', label: 'v1' });
    // The leak happened and was caught: the log line is there, its value redacted.
    expect(r.stderr).toContain('debug token [secret]');
    // And the secret was real: the program wrote it.
    expect(await readFile(path.join(box.root, '.gitops', 'demo', 'canary', 'secret.txt'), 'utf8')).toBe(`${TOKEN}\n${CERT}\n`);
  });

  it('merge request preview: console, JSON and the Markdown report are redacted', async () => {
    await runGit(box.root, ['checkout', '-q', '-b', 'change']);
    const file = path.join(box.root, 'stacks', 'canary.yaml');
    await box.write('stacks/canary.yaml', (await readFile(file, 'utf8')).replace('canary:label: v1', 'canary:label: v2'));
    await runGit(box.root, ['commit', '-q', '-am', 'label v2']);
    const r = await box.run(['preview', '--base', 'main', '--json', '--markdown', 'report.md']);
    runs.push(r);
    expect(r.code, r.stderr).toBe(0);
    const report = await readFile(path.join(box.root, 'report.md'), 'utf8');
    expect(report).toContain('| canary |');
    for (const form of forms) expect(report).not.toContain(form);
  });

  it('drift: redacted too', async () => {
    const r = await box.run(['drift', '--all', '--json']);
    runs.push(r);
    expect(r.code, r.stderr).toBe(0);
  });

  it('no canary form appears in any output', () => {
    expect(runs).toHaveLength(3);
    for (const r of runs)
      for (const form of forms) {
        expect(r.stdout).not.toContain(form);
        expect(r.stderr).not.toContain(form);
      }
  });
});
