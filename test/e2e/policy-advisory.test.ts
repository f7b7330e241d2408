import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

/**
 * An advisory policy on the real engine, at the level the pack itself gives it: the demo pack's
 * `private-credentials` reports a credentials file others may read, and the deploy goes on.
 */
const program = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program(): Promise<Record<string, unknown>> {
  const file = new LocalFile('credentials', { path: demoDir(pulumi.getStack()) + '/credentials', content: 'token\\n', mode: '644' });
  return { path: file.path };
}
`;

interface Doc {
  stacks: {
    name: string;
    status: string;
    policy?: {
      packs: { name: string }[];
      violations: { pack: string; policy: string; enforcement: string; urn?: string; message: string }[];
    };
  }[];
}

describe('an advisory violation is reported and does not fail', () => {
  let box: Sandbox;
  const { git, commit } = gitIn(() => box.root);

  beforeAll(async () => {
    box = await createSandbox({ stacks: { open: 'program: creds\nlabels: [demo]\n' } });
    for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json', 'index.ts']) {
      await box.write(`policies/demo/${file}`, await readFile(path.join(repoRoot, 'policies', 'demo', file), 'utf8'));
    }
    await box.write('programs/creds/index.ts', program);
    const root = await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8');
    await box.write('Pulumi.yaml', `${root}\ngitops:\n  policies:\n    demo:\n      labels: [demo]\n`);
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('the deploy succeeds, the violation is in --json and printed once, and the resource is created', async () => {
    const r = await box.run(['deploy', '--stack', 'open', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const open = (JSON.parse(r.stdout) as Doc).stacks[0]!;
    expect(open.status).toBe('succeeded');
    expect(open.policy?.packs).toEqual([{ name: 'demo' }]);
    expect(open.policy?.violations).toEqual([
      expect.objectContaining({
        pack: 'demo',
        policy: 'private-credentials',
        enforcement: 'advisory',
        message: expect.stringContaining('mode 644: others may read it'),
      }),
    ]);
    expect(open.policy?.violations[0]?.urn).toContain('credentials');
    expect(r.stderr.match(/policy demo\/private-credentials \(advisory\) on credentials: .*mode 644: others may read it/g)?.length).toBe(1);
    const created = path.join(box.root, '.gitops', 'demo', 'open', 'credentials');
    expect((statSync(created).mode & 0o777).toString(8)).toBe('644');
  });
});
