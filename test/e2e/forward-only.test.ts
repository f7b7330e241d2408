import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Forward only, provenance from the default branch, remediation that converges and only committed
 * files, on the real engine with a real git repository and no forge (a protected stack is always
 * refused). One repository, in order: alpha moves c1 -> c2, a late pipeline and an old drift job
 * run from c1, a revert moves it back the forward way, a forged deploy record, a data file read
 * through a template literal, and untracked or uncommitted files.
 */
const alphaAt = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\ndrift:\n  policy: remediate\n`;
const prod = (port: number, approvals: number) =>
  `program: local-base\nconfig:\n  local-base:basePort: ${port}\napprovals:\n  required: ${approvals}\n`;
/** A program that reads its data through a template literal: change detection cannot see which file. */
const dataProgram = `import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program(): Promise<Record<string, unknown>> {
  const stack = pulumi.getStack();
  const data = readFileSync(path.join(process.cwd(), 'data', \`\${stack}.json\`), 'utf8');
  const file = new LocalFile('data', { path: \`\${demoDir(stack)}/data.json\`, content: data });
  return { file: file.path };
}
`;

interface DeployDoc {
  stacks: { name: string; status: string; operation: string; skipReason?: string }[];
}
interface DriftDoc {
  stacks: { name: string; action: string; blockedReason?: string }[];
}

describe('forward only, provenance from the default branch, remediation that converges', () => {
  let box: Sandbox;
  let c1 = '';
  let c2 = '';
  const { git, commit } = gitIn(() => box.root);
  const main = { CI_COMMIT_BRANCH: 'main' };
  const byName = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as DeployDoc).stacks.map((s) => [s.name, s]));
  const driftOf = (r: CliRun, name: string) => (JSON.parse(r.stdout) as DriftDoc).stacks.find((s) => s.name === name)!;
  const live = (stack: string, file = 'platform.json') => path.join(box.root, '.gitops', 'demo', stack, file);
  const livePort = async (stack: string) => (JSON.parse(await readFile(live(stack), 'utf8')) as { basePort: number }).basePort;
  const deploy = async (...args: string[]) => {
    const r = await box.run(['deploy', '--since-deployed', '--json', ...args], main);
    expect(r.code, r.stderr).toBe(0);
    return r;
  };

  beforeAll(async () => {
    box = await createSandbox({ stacks: { alpha: alphaAt(7100), prod: prod(7200, 1) } });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'bootstrap of the test repository']);
    expect(first.code, first.stderr).toBe(0);
    await box.write('stacks/alpha.yaml', alphaAt(7101));
    c1 = await commit('c1: alpha 7101');
    await deploy();
    await box.write('stacks/alpha.yaml', alphaAt(7102));
    c2 = await commit('c2: alpha 7102');
    await deploy();
    expect(await livePort('alpha')).toBe(7102);
  });
  afterAll(async () => box?.dispose());

  it('a late pipeline (c1 after c2 deployed) is refused with exit 2, naming both commits; nothing moves back', async () => {
    await git('checkout', '-q', c1);
    for (const args of [
      ['deploy', '--since-deployed'],
      ['deploy', '--base', `${c1}~1`],
      ['deploy', '--stack', 'alpha'],
    ]) {
      const r = await box.run(args, main);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain(
        `deploy refused: alpha runs ${c2.slice(0, 12)}, which commit ${c1.slice(0, 12)} does not contain: deploying ${c1.slice(0, 12)} would move it backwards`,
      );
    }
    expect(await livePort('alpha')).toBe(7102);
  });

  it('an old drift job (checkout at c1, c2 deployed) does not remediate: blocked, the drift still reported', async () => {
    await writeFile(live('alpha'), (await readFile(live('alpha'), 'utf8')).replace('7102', '1234'));
    const r = await box.run(['drift', '--stack', 'alpha', '--remediate', '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(driftOf(r, 'alpha')).toMatchObject({
      action: 'blocked',
      blockedReason: expect.stringContaining(`the checked-out commit ${c1.slice(0, 12)} is not the deployed commit ${c2.slice(0, 12)}`),
    });
    expect(await livePort('alpha')).toBe(1234);
    await git('checkout', '-q', 'main');
    const fixed = await box.run(['drift', '--stack', 'alpha', '--remediate', '--json']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await livePort('alpha')).toBe(7102);
  });

  it('a rollback is a revert commit: it moves forward and deploys', async () => {
    await git('revert', '--no-edit', c2);
    await deploy();
    expect(await livePort('alpha')).toBe(7101);
  });

  it('a forged record naming a commit off the default branch is not trusted: the base rules apply', async () => {
    await git('checkout', '-q', '-b', 'forged');
    await box.write('stacks/prod.yaml', prod(7200, 0));
    const side = await commit('an MR branch that drops the approvals');
    await git('checkout', '-q', 'main');
    const tags = path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks', 'local-base', 'prod.pulumi-tags');
    const doc = JSON.parse(await readFile(tags, 'utf8')) as { tags: Record<string, string> };
    doc.tags['gitops:commit'] = side;
    await writeFile(tags, JSON.stringify(doc));
    await box.write('stacks/prod.yaml', prod(6666, 1));
    await commit('an unapproved change to prod');
    const r = await box.run(['deploy', '--since-deployed', '--json'], main);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`prod: its recorded deployed commit ${side.slice(0, 12)} is not on the default branch's history`);
    expect(byName(r).prod).toMatchObject({ status: 'skipped', skipReason: expect.stringMatching(/^deploy refused: needs 1 approval/) });
    expect(await livePort('prod')).toBe(7200);
  });

  it('remediation never puts live a data file the program reads through a template literal', async () => {
    await box.write('programs/data-site/index.ts', dataProgram);
    await box.write('data/site.json', '{"motd": "reviewed"}\n');
    await box.write('stacks/site.yaml', 'program: data-site\ndrift:\n  policy: remediate\n');
    await commit('add the data site');
    const r = await box.run(['deploy', '--stack', 'site']);
    expect(r.code, r.stderr).toBe(0);
    await box.write('data/site.json', '{"motd": "unreviewed"}\n');
    await commit('edit only the data file');
    const status = await box.run(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    await writeFile(live('site', 'data.json'), '{"motd": "edited by hand"}\n');
    const drift = await box.run(['drift', '--stack', 'site', '--remediate', '--json']);
    expect(drift.code, drift.stderr).toBe(3);
    expect(driftOf(drift, 'site')).toMatchObject({
      action: 'blocked',
      blockedReason: expect.stringMatching(/^the program's inputs changed since the last deploy: deploy first/),
    });
    expect(await readFile(live('site', 'data.json'), 'utf8')).toBe('{"motd": "edited by hand"}\n');
  });

  it('untracked and uncommitted files never deploy, nor remediate', async () => {
    await box.write('stacks/extra.yaml', alphaAt(7300));
    await box.write('programs/local-base/extra.ts', 'export const x = 1;\n');
    const r = await box.run(['deploy', '--all']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      'deploy refused: the working tree has untracked files a deploy would read (programs/local-base/extra.ts, stacks/extra.yaml)',
    );
    await box.remove('stacks/extra.yaml');
    await box.remove('programs/local-base/extra.ts');
    await box.write('stacks/alpha.yaml', alphaAt(5555));
    await writeFile(live('alpha'), (await readFile(live('alpha'), 'utf8')).replace('7101', '4321'));
    const drift = await box.run(['drift', '--stack', 'alpha', '--remediate', '--json']);
    expect(drift.code, drift.stderr).toBe(3);
    expect(driftOf(drift, 'alpha').blockedReason).toMatch(
      /^remediation refused: the working tree has uncommitted or untracked files \(stacks\/alpha.yaml\)/,
    );
    expect(await livePort('alpha')).toBe(4321);
  });
});
