import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { encryptConfig } from '../helpers/secrets.js';

/**
 * Three canaries, one per way a secret enters a run: secret config, a `pulumi.secret()` stack
 * output, and a credential environment variable. The program leaks all three in several
 * encodings on every run that executes it, and folds them into an error on demand. None may
 * appear in any output of deploy, preview, drift detection and remediation, the MR Markdown and
 * comment, the drift issue, the drift history or an error message; and each leak must be seen redacted, which proves the
 * path really ran. The output canary is known only from the stack's state (the program reads
 * its own last outputs), so preview and drift must learn it before running.
 */
const CONFIG = 'cfg canary/4e7b1f0a';
const OUTPUT = 'out canary/9d3c55e1';
const ENV = 'env canary/0b7e2c64';
const ENV_NAME = 'CANARY_API_TOKEN';

const encodings = (s: string) => [
  s,
  encodeURIComponent(s),
  encodeURIComponent(s).replace(/%20/g, '+'),
  Buffer.from(s).toString('base64'),
  Buffer.from(s).toString('hex'),
  Buffer.from(`user:${s}`).toString('base64'),
];
const forms = [CONFIG, OUTPUT, ENV].flatMap(encodings);

const program = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

const leak = (what: string, v: string) =>
  pulumi.log.info(\`leak \${what} \${v} \${encodeURIComponent(v)} \${Buffer.from(v).toString('base64')} \${Buffer.from(v).toString('hex')} \` +
    \`basic \${Buffer.from('user:' + v).toString('base64')}\`);

export default async function program() {
  const config = new pulumi.Config();
  const token = config.requireSecret('token');
  const fail = config.get('fail') === 'yes';
  // The stack's own last outputs: the secret output is known from the state only.
  const self = new pulumi.StackReference(\`organization/canary/\${pulumi.getStack()}\`);
  const previous = self.getOutput('secretOut');
  const env = process.env.${ENV_NAME} ?? '';
  pulumi.all([token, previous]).apply(([t, p]) => {
    leak('config', t);
    leak('env', env);
    if (typeof p === 'string') leak('output', p);
    if (fail) throw new Error(\`failing with config \${t}, env \${env}, output \${String(p)}\`);
  });
  new LocalFile('credentials', { path: demoDir(pulumi.getStack()) + '/credentials', content: pulumi.interpolate\`TOKEN=\${token}\\n\`, mode: '600' });
  return { secretOut: pulumi.secret(process.env.CANARY_OUTPUT_SEED ?? 'unset') };
}
`;

describe('three secret canaries never leak', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  const runs: { name: string; run: CliRun }[] = [];
  const files: { name: string; text: string }[] = [];
  const env = { [ENV_NAME]: ENV, CANARY_OUTPUT_SEED: OUTPUT };
  const gitops = async (name: string, args: string[], extra: Record<string, string | undefined> = {}): Promise<CliRun> => {
    const run = await box.run(args, { ...env, ...extra });
    runs.push({ name, run });
    return run;
  };
  // The Basic-auth form keeps the base64 of "user:" before the redacted secret.
  const seenRedacted = (r: CliRun, ...what: string[]) => {
    for (const w of what)
      expect(r.stderr, `${w} leak was exercised`).toMatch(
        new RegExp(`leak ${w} \\[secret\\] \\[secret\\] \\[secret\\] \\[secret\\] basic \\S*\\[secret\\]`),
      );
  };

  beforeAll(async () => {
    forge = await startForgeServer();
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, { number: 3 });
    const secrets = await encryptConfig('canary', 'canary', 'gitops-demo', { 'canary:token': CONFIG });
    box = await createSandbox({
      stacks: {
        canary: stringify({
          program: 'canary',
          config: { ...secrets.config, 'canary:fail': 'no' },
          encryptionSalt: secrets.encryptionSalt,
          // A program sees only the variables its stack names.
          env: { [ENV_NAME]: ENV_NAME, CANARY_OUTPUT_SEED: 'CANARY_OUTPUT_SEED' },
        }),
      },
    });
    await box.write('programs/canary/index.ts', program);
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n*.jsonl\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'canary']);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('deploy: the config and env canaries leak and are redacted', async () => {
    const r = await gitops('deploy', ['deploy', '--stack', 'canary', '--json']);
    expect(r.code, r.stderr).toBe(0);
    seenRedacted(r, 'config', 'env');
    expect(JSON.parse(r.stdout).stacks[0].outputs).toEqual({ secretOut: '[secret]' });
  });

  it('preview: the output canary, known only from the state, is redacted too', async () => {
    const r = await gitops('preview', ['preview', '--stack', 'canary', '--json']);
    expect(r.code, r.stderr).toBe(0);
    seenRedacted(r, 'config', 'env', 'output');
  });

  it('drift detection: a hand edit to a secret value is reported as [secret]', async () => {
    await writeFile(path.join(box.root, '.gitops', 'demo', 'canary', 'credentials'), `TOKEN=${OUTPUT} ${ENV}\n`);
    const r = await gitops(
      'drift',
      ['drift', '--stack', 'canary', '--json', '--history', 'drift.jsonl', '--markdown', 'drift.md', '--notify'],
      ciEnv(forge, 'gitlab'),
    );
    expect(r.code, r.stderr).toBe(3);
    const issues = forge.state.project('gitlab', testProjects.gitlab).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.body).toContain('`content`: the secret value differs (not shown)');
    files.push({ name: 'drift issue', text: `${issues[0]!.title}\n${issues[0]!.body}` });
    expect(JSON.parse(r.stdout).stacks[0].resources[0].properties).toEqual([
      expect.objectContaining({ path: 'content', old: '[secret]', new: '[secret]', secret: true }),
    ]);
  });

  it('drift remediation: the program runs again and its leaks are redacted', async () => {
    const r = await gitops('remediate', [
      'drift',
      '--stack',
      'canary',
      '--remediate',
      '--json',
      '--history',
      'drift.jsonl',
      '--markdown',
      'drift.md',
    ]);
    expect(r.code, r.stderr).toBe(0);
    seenRedacted(r, 'config', 'env', 'output');
    expect(await readFile(path.join(box.root, '.gitops', 'demo', 'canary', 'credentials'), 'utf8')).toBe(`TOKEN=${CONFIG}\n`);
    const history = await readFile(path.join(box.root, 'drift.jsonl'), 'utf8');
    expect(history.trim().split('\n')).toHaveLength(2);
    files.push(
      { name: 'drift history', text: history },
      { name: 'drift Markdown', text: await readFile(path.join(box.root, 'drift.md'), 'utf8') },
    );
  });

  it('merge request preview: the error message and the Markdown report are redacted', async () => {
    await runGit(box.root, ['checkout', '-q', '-b', 'change']);
    const file = path.join(box.root, 'stacks', 'canary.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace('canary:fail: no', 'canary:fail: yes'));
    await runGit(box.root, ['commit', '-q', '-am', 'fail']);
    const mrEnv = ciEnv(forge, 'gitlab', { CI_MERGE_REQUEST_IID: '3' });
    const r = await gitops('merge request preview', ['preview', '--base', 'main', '--json', '--markdown', 'report.md', '--comment'], mrEnv);
    expect(r.code).toBe(1);
    const comments = forge.state.project('gitlab', testProjects.gitlab).mergeRequests.find((m) => m.number === 3)!.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toMatch(/failing with config \[secret\], env \[secret\], output \[secret\]/);
    files.push({ name: 'MR comment', text: comments[0]!.body });
    expect(r.stderr).toMatch(/failing with config \[secret\], env \[secret\], output \[secret\]/);
    const report = await readFile(path.join(box.root, 'report.md'), 'utf8');
    expect(report).toMatch(/failing with config \[secret\], env \[secret\], output \[secret\]/);
    files.push({ name: 'MR Markdown', text: report });
  });

  it('no form of any canary appears in any output', () => {
    expect(runs.map((r) => r.name)).toEqual(['deploy', 'preview', 'drift', 'remediate', 'merge request preview']);
    expect(files.map((f) => f.name)).toEqual(['drift issue', 'drift history', 'drift Markdown', 'MR comment', 'MR Markdown']);
    const outputs = [
      ...runs.flatMap((r) => [
        { name: `${r.name} stdout`, text: r.run.stdout },
        { name: `${r.name} stderr`, text: r.run.stderr },
      ]),
      ...files,
    ];
    for (const { name, text } of outputs) for (const form of forms) expect(text.includes(form), `${form} in ${name}`).toBe(false);
  });
});
