import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Who may approve, and how a merge lands, on the real engine with a real git repository and the
 * local GitLab: a three-commit MR merged by rebase is one landing checked against that MR, and a
 * writer who pushed a commit to someone else's MR does not count as its approver.
 */
const prod = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\napprovals:\n  required: 1\n`;

interface DeployDoc {
  stacks: { name: string; status: string; skipReason?: string }[];
}

describe('merge styles and who approves', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  const { git, commit } = gitIn(() => box.root);
  const byName = (r: CliRun) => Object.fromEntries((JSON.parse(r.stdout) as DeployDoc).stacks.map((s) => [s.name, s]));
  const livePort = async () =>
    (JSON.parse(await readFile(path.join(box.root, '.gitops', 'demo', 'prod', 'platform.json'), 'utf8')) as { basePort: number }).basePort;
  /** Three commits on main, as a rebase merge lands them; the MR's head is the last. */
  const rebaseMerge = async (number: number, ports: number[], mr: { approvedBy: string[]; committers: string[] }) => {
    const commits: string[] = [];
    for (const port of ports) {
      await box.write('stacks/prod.yaml', prod(port));
      commits.push(await commit(`MR ${number}: port ${port}`));
    }
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number,
      state: 'merged',
      author: 'dev',
      headSha: commits.at(-1)!,
      approvalsRequired: 1,
      approvedBy: mr.approvedBy,
      commits: commits.map((c, i) => ({ sha: c, author: 'dev', committer: mr.committers[i] ?? 'dev' })),
    });
    for (const c of commits) forge.state.linkCommit('gitlab', testProjects.gitlab, c, number);
    return commits.at(-1)!;
  };
  const deploy = (head: string) =>
    box.run(['deploy', '--since-deployed', '--json'], ciEnv(forge, 'gitlab', { CI_COMMIT_SHA: head, CI_COMMIT_BRANCH: 'main' }));

  beforeAll(async () => {
    forge = await startForgeServer();
    for (const [user, level] of [
      ['alice', 30],
      ['bob', 40],
      ['dev', 30],
    ] as const)
      forge.state.addMember(testProjects.gitlab, user, level);
    box = await createSandbox({ stacks: { prod: prod(7400) } });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    const first = await box.run(['deploy', '--all', '--override-approvals', '--reason', 'bootstrap of the test repository']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('a writer who pushed a commit to the MR and then approved it is not counted', async () => {
    const head = await rebaseMerge(21, [7401, 7402, 7403], { approvedBy: ['alice'], committers: ['dev', 'alice', 'dev'] });
    const r = await deploy(head);
    expect(r.code, r.stderr).toBe(1);
    expect(byName(r).prod?.skipReason).toMatch(
      /^deploy refused: needs 1 approval; merge request #21 has 0; not counted: alice \(an author or committer of its commits\)/,
    );
    expect(await livePort()).toBe(7400);
  });

  it('a rebase-merged three-commit MR approved by someone who wrote none of it is one landing, and deploys', async () => {
    // MR 21 stays refused until a person settles it, on the record.
    const settle = await box.run(['deploy', '--stack', 'prod', '--override-approvals', '--reason', 'MR 21 reviewed after the fact']);
    expect(settle.code, settle.stderr).toBe(0);
    const head = await rebaseMerge(22, [7404, 7405, 7406], { approvedBy: ['bob'], committers: [] });
    const r = await deploy(head);
    expect(r.code, r.stderr).toBe(0);
    expect(byName(r).prod).toMatchObject({ status: 'succeeded' });
    expect(await livePort()).toBe(7406);
  });
});
