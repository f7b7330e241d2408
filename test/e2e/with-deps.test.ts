import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * A stack selected by `--stack` whose dependency was never deployed: refused before anything
 * runs, naming the dependency, or taken along with `--with-deps`. On the real engine, with the
 * demo stacks (demo-web dependsOn demo-base) and programs whose StackReferences name it.
 */
const literalReader = `import * as pulumi from '@pulumi/pulumi';
const base = new pulumi.StackReference('organization/local-base/demo-base');
export const port = base.getOutput('basePort');
`;

/** A StackReference whose name comes from config: no scan can see it, only the engine meets it. */
const configReader = `import * as pulumi from '@pulumi/pulumi';
const base = new pulumi.StackReference(new pulumi.Config().require('base'));
export const port = base.getOutput('basePort');
`;

describe('dependencies never deployed, and --with-deps', () => {
  let box: Sandbox;
  const stateDir = () => path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks');

  beforeAll(async () => {
    box = await createSandbox({
      keepStacks: true,
      stacks: {
        reader: 'program: literal-reader\n',
        'hidden-reader': 'program: config-reader\nconfig:\n  config-reader:base: organization/local-base/demo-base\n',
      },
    });
    await box.write('programs/literal-reader/index.ts', literalReader);
    await box.write('programs/config-reader/index.ts', configReader);
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('a declared dependency never deployed: exit 2, one line naming it and the fix, nothing ran', async () => {
    const r = await box.run(['preview', '--stack', 'demo-web']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error: stack demo-web depends on demo-base, which has never been deployed\n');
    expect(r.stderr).toContain('hint: deploy it first (gitops deploy --stack demo-base), or add --with-deps');
    expect(r.stderr).not.toContain('preview started');
    expect(existsSync(stateDir())).toBe(false);
  });

  it('a dependency found only through a literal StackReference counts too', async () => {
    const r = await box.run(['deploy', '--stack', 'reader']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('stack reader depends on demo-base, which has never been deployed');
    expect(existsSync(stateDir())).toBe(false);
  });

  it('a reference no scan can see fails that stack with the same cause, not "unknown stack" alone', async () => {
    const r = await box.run(['preview', '--stack', 'hidden-reader']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(
      'stack hidden-reader: its StackReference finds no stack organization/local-base/demo-base: it has never been deployed',
    );
  });

  it('preview --with-deps previews the dependency, and holds back the dependent whose inputs do not exist yet', async () => {
    // As a GitHub job runs it: the job summary gets the report once, for both stacks.
    const summary = path.join(box.root, 'step-summary.md');
    const r = await box.run(['preview', '--stack', 'demo-web', '--with-deps', '--json'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(r.code, r.stderr).toBe(0);
    const written = await readFile(summary, 'utf8');
    expect(written.match(/### gitops preview/g)).toEqual(['### gitops preview']);
    expect(written).toContain('### gitops preview: 2 stacks');
    expect(written.match(/\| `demo-web` \|/g)).toHaveLength(1);
    const doc = JSON.parse(r.stdout) as { stacks: { name: string; status: string; skipReason?: string }[] };
    expect(doc.stacks.map((s) => [s.name, s.status])).toEqual([
      ['demo-base', 'succeeded'],
      ['demo-web', 'skipped'],
    ]);
    expect(r.stderr).toContain('demo-web: skipped: not previewed: demo-base has never been deployed');
  });

  it('a dependency a preview created in the backend but never deployed still counts as never deployed', async () => {
    // The preview above created demo-base's stack in the backend: it exists, with no resources and no update.
    expect(existsSync(path.join(stateDir(), 'local-base', 'demo-base.json'))).toBe(true);
    const preview = await box.run(['preview', '--stack', 'demo-web', '--with-deps', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    const doc = JSON.parse(preview.stdout) as { stacks: { name: string; status: string }[] };
    expect(doc.stacks.map((s) => [s.name, s.status])).toEqual([
      ['demo-base', 'succeeded'],
      ['demo-web', 'skipped'],
    ]);
    const deploy = await box.run(['deploy', '--stack', 'reader']);
    expect(deploy.code, deploy.stderr).toBe(2);
    expect(deploy.stderr).toContain('stack reader depends on demo-base, which has never been deployed');
    expect(existsSync(path.join(stateDir(), 'local-base', 'reader.json'))).toBe(false);
  });

  it('deploy --with-deps deploys the dependencies first, in order, and then the selection', async () => {
    const plan = await box.run(['deploy', '--stack', 'reader', '--stack', 'demo-web', '--with-deps', '--plan']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({
      waves: [['demo-base'], ['demo-web', 'reader']],
      stacks: [{ name: 'demo-base', reasons: ['dependency of reader (--with-deps)', 'dependency of demo-web (--with-deps)'] }, {}, {}],
    });
    const r = await box.run(['deploy', '--stack', 'reader', '--with-deps']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.indexOf('[demo-base] up done')).toBeGreaterThan(-1);
    expect(r.stderr.indexOf('[demo-base] up done')).toBeLessThan(r.stderr.indexOf('[reader] up started'));
    const out = await box.run(['outputs', '--stack', 'reader', '--json']);
    expect(JSON.parse(out.stdout)).toMatchObject({ outputs: { port: 8080 } });
    // Deployed now: the dependency is no longer in the way.
    const again = await box.run(['preview', '--stack', 'demo-web']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('--with-deps needs --stack: exit 2', async () => {
    const r = await box.run(['preview', '--all', '--with-deps']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--with-deps needs --stack');
  });
});
