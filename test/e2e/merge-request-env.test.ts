import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../helpers/git-repo.js';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

const JOB_SECRET = 'job-secret-7f3e9a1c';

/** Records what it sees of LEAK, in the preview and in the update apart. */
const program = `import { mkdirSync, writeFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { demoDir } from '../shared/local-file.js';
export default async function program() {
  const dir = demoDir(pulumi.getStack());
  mkdirSync(dir, { recursive: true });
  const phase = pulumi.runtime.isDryRun() ? 'preview' : 'update';
  writeFileSync(dir + '/seen-' + phase + '.json', JSON.stringify({ leak: process.env.LEAK ?? null }));
  return {};
}
`;

/**
 * A merge request cannot widen what its own program reads: the stack file it changes may name
 * any of the job's variables in `env`, but the merge request's preview runs the program with the
 * environment the default branch gives the stack. The comment names the change; after the
 * merge, the reviewed `env` applies.
 */
describe("a merge request's env reaches its program only after the merge", () => {
  let box: Sandbox;
  const env = { JOB_SECRET };
  const seen = async (phase: string) =>
    JSON.parse(await readFile(path.join(box.root, '.gitops/demo/app', `seen-${phase}.json`), 'utf8')) as { leak: string | null };

  beforeAll(async () => {
    box = await createSandbox({ stacks: { app: 'program: spy\n' } });
    await box.write('programs/spy/index.ts', program);
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await runGit(box.root, ['init', '-q', '-b', 'main']);
    await runGit(box.root, ['add', '-A']);
    await runGit(box.root, ['commit', '-q', '-m', 'base']);
    const first = await box.run(['deploy', '--all'], env);
    expect(first.code, first.stderr).toBe(0);
    await box.write('stacks/app.yaml', 'program: spy\nenv:\n  LEAK: JOB_SECRET\n');
    await runGit(box.root, ['commit', '-q', '-am', 'give the program the job secret']);
  }, 600_000);
  afterAll(async () => {
    await box?.dispose();
  });

  it('the preview runs the program without it, and the comment names the change', async () => {
    const preview = await box.run(['preview', '--base', 'HEAD~1', '--json', '--markdown', 'report.md'], env);
    expect(preview.code, preview.stderr).toBe(0);
    expect(JSON.parse(preview.stdout)).toMatchObject({ stacks: [{ name: 'app', status: 'succeeded' }] });
    expect(await seen('preview')).toEqual({ leak: null });
    const report = await readFile(path.join(box.root, 'report.md'), 'utf8');
    expect(report).toContain('`env` none → LEAK=JOB_SECRET');
    expect(report).toContain("ran the program with the base's env");
    for (const out of [preview.stdout, preview.stderr, report]) expect(out).not.toContain(JOB_SECRET);
  });

  it('after the merge, the deploy gives the program what the reviewed stack file names', async () => {
    const deploy = await box.run(['deploy', '--base', 'HEAD~1'], env);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(await seen('update')).toEqual({ leak: JOB_SECRET });
  });

  it("the preview uses the base's state backend, not one the change names in Pulumi.yaml", async () => {
    const elsewhere = path.join(box.root, '..', `${path.basename(box.root)}-elsewhere`);
    const project = await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8');
    await box.write('Pulumi.yaml', `${project}backend:\n  url: file://${elsewhere}\n`);
    await runGit(box.root, ['commit', '-q', '-am', 'move the state']);
    const preview = await box.run(['preview', '--base', 'HEAD~1', '--json'], env);
    expect(preview.code, preview.stderr).toBe(0);
    // The deployed stack, read from the base's backend: nothing to create.
    const [app] = (JSON.parse(preview.stdout) as { stacks: { name: string; status: string; changes: Record<string, number> }[] }).stacks;
    expect(app).toMatchObject({ name: 'app', status: 'succeeded' });
    expect(app?.changes.create ?? 0).toBe(0);
    expect(preview.stderr).toContain("this preview uses the base's state backend setting");
    expect(existsSync(elsewhere)).toBe(false);
  });
});
