import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * `gitops outputs`, `--refresh` and `--target` on the real engine: a stack with two files and a
 * secret output; outputs read with and without the secret; a file changed by hand found only
 * with --refresh; a targeted deploy that changes one file of two and says so in the history.
 */
const SECRET = 'cli-secret-output-5f2a9c71';
const program = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program() {
  const config = new pulumi.Config();
  const dir = demoDir(pulumi.getStack());
  const a = new LocalFile('file-a', { path: dir + '/a.txt', content: config.require('a') + '\\n' });
  new LocalFile('file-b', { path: dir + '/b.txt', content: config.require('b') + '\\n' });
  return { label: 'v1', aPath: a.path, replicas: 2, token: pulumi.secret('${SECRET}') };
}
`;
const stackYaml = (a: string, b: string) => `program: cli-demo\nconfig:\n  cli-demo:a: ${a}\n  cli-demo:b: ${b}\n`;

interface OperationDoc {
  stacks: { name: string; status: string; changes: Record<string, number>; resources: { urn: string; name: string; op: string }[] }[];
}

describe('outputs, --refresh and --target on the real engine', () => {
  let box: Sandbox;
  const file = (name: string) => readFile(path.join(box.root, '.gitops', 'demo', 'cli', name), 'utf8');
  const doc = (r: CliRun) => JSON.parse(r.stdout) as OperationDoc;
  const ops = (r: CliRun) => Object.fromEntries(doc(r).stacks[0]!.resources.map((res) => [res.name, res.op]));

  beforeAll(async () => {
    box = await createSandbox({ stacks: { cli: stackYaml('A1', 'B1') } });
    await box.write('programs/cli-demo/index.ts', program);
    const r = await box.run(['deploy', '--stack', 'cli']);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('outputs: plain values, the secret one as [secret]', async () => {
    const r = await box.run(['outputs', '--stack', 'cli']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('label: v1\n');
    expect(r.stdout).toContain('replicas: 2\n');
    expect(r.stdout).toContain('token: [secret]\n');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('outputs --json: a document with the secret masked and named', async () => {
    const r = await box.run(['outputs', '--stack', 'cli', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { stack: string; deployed: boolean; outputs: Record<string, unknown>; secrets: string[] };
    expect(out).toMatchObject({
      stack: 'cli',
      deployed: true,
      outputs: { label: 'v1', replicas: 2, token: '[secret]' },
      secrets: ['token'],
    });
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('outputs --show-secrets: the secret value, asked for', async () => {
    const text = await box.run(['outputs', '--stack', 'cli', '--show-secrets']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`token: ${SECRET}\n`);
    const json = await box.run(['outputs', '--stack', 'cli', '--json', '--show-secrets']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { outputs: Record<string, unknown> }).outputs).toMatchObject({ token: SECRET, label: 'v1' });
  });

  it('outputs of a mistyped stack: exit 2 with the nearest name', async () => {
    const r = await box.run(['outputs', '--stack', 'clii']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"clii" -> did you mean "cli"?');
  });

  it('--refresh picks up a file changed by hand; without it the preview sees nothing', async () => {
    await writeFile(path.join(box.root, '.gitops', 'demo', 'cli', 'b.txt'), 'changed by hand\n');
    const plain = await box.run(['preview', '--stack', 'cli', '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(ops(plain)['file-b']).toBe('same');
    const refreshed = await box.run(['preview', '--stack', 'cli', '--refresh', '--json']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(ops(refreshed)['file-b']).toBe('update');
    // With colour forced: the status words on stderr are coloured, the JSON on stdout is not.
    const deploy = await box.run(['deploy', '--stack', 'cli', '--refresh', '--color', 'always', '--json']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await file('b.txt')).toBe('B1\n');
    expect(deploy.stderr).toContain('[cli] \u001b[32mup done\u001b[39m:');
    expect(deploy.stdout).not.toContain('\u001b');
    expect(ops(deploy)['file-b']).toBe('update');
  });

  it('a targeted deploy changes only the targeted resource, and the history says it was targeted', async () => {
    await box.write('stacks/cli.yaml', stackYaml('A2', 'B2'));
    const preview = await box.run(['preview', '--stack', 'cli', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(ops(preview)).toMatchObject({ 'file-a': 'update', 'file-b': 'update' });
    const urnA = doc(preview).stacks[0]!.resources.find((res) => res.name === 'file-a')!.urn;

    const targeted = await box.run(['preview', '--stack', 'cli', '--target', urnA, '--json']);
    expect(targeted.code, targeted.stderr).toBe(0);
    expect(ops(targeted)['file-a']).toBe('update');
    expect(ops(targeted)['file-b']).not.toBe('update');

    const r = await box.run(['deploy', '--stack', 'cli', '--target', urnA, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(doc(r).stacks[0]!.changes).toMatchObject({ update: 1 });
    expect(await file('a.txt')).toBe('A2\n');
    expect(await file('b.txt')).toBe('B1\n');

    const historyDir = path.join(box.root, '.gitops', 'state', '.pulumi', 'history', 'cli-demo', 'cli');
    const files = (await readdir(historyDir)).filter((f) => f.endsWith('.history.json')).sort();
    const last = JSON.parse(await readFile(path.join(historyDir, files.at(-1)!), 'utf8')) as { message: string };
    expect(last.message).toContain(`targeted: ${urnA}`);

    // The next untargeted preview still has the rest to do.
    const after = await box.run(['preview', '--stack', 'cli', '--json']);
    expect(ops(after)).toMatchObject({ 'file-a': 'same', 'file-b': 'update' });
  });
});
