import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';

/**
 * Provenance and no lost deploys (issue 9, point 5), on the real engine with a real git
 * repository: every successful up records its commit as the stack tag `gitops:commit`, a failed
 * one leaves it alone, `deploy --since-deployed` diffs each stack from that commit (so a cancelled
 * pipeline drops nothing), and `gitops status` says where each stack stands. One repository, in order.
 */
const stackAt = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n`;

interface DeployDoc {
  stacks: { name: string; status: string; operation: string; skipReason?: string }[];
}
interface Commit {
  short: string;
  full: string;
}
interface StatusDoc {
  head: Commit;
  stacks: {
    name: string;
    project: string;
    stack: string;
    state: string;
    deployedCommit: Commit | null;
    headCommit: Commit | null;
    reasons: string[];
  }[];
}

describe('provenance: the deployed commit per stack, and deploys that never drop a change', () => {
  let box: Sandbox;
  const { git, sha, commit } = gitIn(() => box.root);
  const deployed = (r: CliRun) => (JSON.parse(r.stdout) as DeployDoc).stacks.map((s) => [s.name, s.operation, s.status]);
  /** The stack's tags as Pulumi's file backend keeps them (`pulumi stack tag set` writes the same file). */
  const tagOf = async (stack: string): Promise<string | undefined> => {
    const file = path.join(box.root, '.gitops', 'state', '.pulumi', 'stacks', 'local-base', `${stack}.pulumi-tags`);
    return (JSON.parse(await readFile(file, 'utf8')) as { tags?: Record<string, string> }).tags?.['gitops:commit'];
  };
  const platform = async (stack: string) => readFile(path.join(box.root, '.gitops', 'demo', stack, 'platform.json'), 'utf8');
  const status = async (): Promise<StatusDoc> => {
    const r = await box.run(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as StatusDoc;
  };
  const states = (doc: StatusDoc) => Object.fromEntries(doc.stacks.map((s) => [s.name, s.state]));

  beforeAll(async () => {
    box = await createSandbox({ stacks: { alpha: stackAt(7100), beta: stackAt(7200) } });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
  });
  afterAll(async () => box?.dispose());

  it('the first deploy --since-deployed deploys the stacks never deployed, and tags each with the full commit', async () => {
    const head = await sha();
    const before = await status();
    expect(states(before)).toEqual({ alpha: 'never-deployed', beta: 'never-deployed' });
    const r = await box.run(['deploy', '--since-deployed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('2 stacks affected: alpha, beta');
    expect(deployed(r)).toEqual([
      ['alpha', 'up', 'succeeded'],
      ['beta', 'up', 'succeeded'],
    ]);
    expect([await tagOf('alpha'), await tagOf('beta')]).toEqual([head, head]);
    const after = await status();
    expect(after.head).toEqual({ short: head.slice(0, 12), full: head });
    expect(after.stacks).toEqual([
      {
        name: 'alpha',
        project: 'local-base',
        stack: 'alpha',
        state: 'up-to-date',
        deployedCommit: after.head,
        headCommit: after.head,
        reasons: [],
      },
      {
        name: 'beta',
        project: 'local-base',
        stack: 'beta',
        state: 'up-to-date',
        deployedCommit: after.head,
        headCommit: after.head,
        reasons: [],
      },
    ]);
  });

  it('a cancelled pipeline drops nothing: two merges, only the second pipeline runs, both changes deploy', async () => {
    const c0 = await sha();
    await box.write('stacks/alpha.yaml', stackAt(7101));
    const c1 = await commit('merge 1: move alpha (its pipeline is cancelled)');
    await box.write('stacks/beta.yaml', stackAt(7201));
    const c2 = await commit('merge 2: move beta');
    // The second pipeline's before-SHA is the first merge: diffing from it loses alpha's change.
    const fromBefore = await box.run(['deploy', '--base', c1, '--plan']);
    expect(fromBefore.code, fromBefore.stderr).toBe(0);
    expect(fromBefore.stderr).toContain('1 stack affected: beta');
    const doc = await status();
    expect(doc.stacks.map((s) => [s.name, s.state, s.deployedCommit?.full, s.headCommit?.full])).toEqual([
      ['alpha', 'behind', c0, c1],
      ['beta', 'behind', c0, c2],
    ]);
    expect(doc.stacks[0]!.reasons).toEqual(['stack file stacks/alpha.yaml changed']);
    const r = await box.run(['deploy', '--since-deployed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(deployed(r)).toEqual([
      ['alpha', 'up', 'succeeded'],
      ['beta', 'up', 'succeeded'],
    ]);
    expect(await platform('alpha')).toContain('"basePort": 7101');
    expect([await tagOf('alpha'), await tagOf('beta')]).toEqual([c2, c2]);
    expect(states(await status())).toEqual({ alpha: 'up-to-date', beta: 'up-to-date' });
  });

  it('a failed up leaves the tag where it was; the stack stays behind until a deploy succeeds', async () => {
    const good = await sha();
    await box.write('stacks/alpha.yaml', 'program: local-base\nconfig:\n  local-base:basePort: not-a-port\n');
    const broken = await commit('merge 3: a broken port');
    const failed = await box.run(['deploy', '--since-deployed', '--json']);
    expect(failed.code, failed.stderr).toBe(1);
    expect(deployed(failed)).toEqual([['alpha', 'up', 'failed']]);
    expect(await tagOf('alpha')).toBe(good);
    const doc = await status();
    expect(doc.stacks.map((s) => [s.name, s.state, s.deployedCommit?.full, s.headCommit?.full])).toEqual([
      ['alpha', 'behind', good, broken],
      ['beta', 'up-to-date', good, good],
    ]);
    await box.write('stacks/alpha.yaml', stackAt(7102));
    const fixed = await commit('merge 4: fix the port');
    const r = await box.run(['deploy', '--since-deployed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(deployed(r)).toEqual([['alpha', 'up', 'succeeded']]);
    expect(await tagOf('alpha')).toBe(fixed);
    expect(await tagOf('beta')).toBe(good);
  });

  it('status lists a new stack as never deployed, a deleted one still running as deleted; text and JSON', async () => {
    await box.write('stacks/gamma.yaml', stackAt(7300));
    await box.remove('stacks/beta.yaml');
    const c = await commit('add gamma, retire beta (no allowDestroy)');
    const doc = await status();
    expect(doc.stacks.map((s) => [s.name, s.state, s.headCommit?.full ?? null])).toEqual([
      ['alpha', 'up-to-date', await sha('HEAD~1')],
      ['beta', 'deleted', null],
      ['gamma', 'never-deployed', c],
    ]);
    // Deploy records are plain text: status needs no passphrase.
    const bare = await box.run(['status', '--json'], { PULUMI_CONFIG_PASSPHRASE: undefined });
    expect(bare.code, bare.stderr).toBe(0);
    expect(JSON.parse(bare.stdout)).toEqual(doc);
    const text = await box.run(['status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^STACK +STATE +DEPLOYED +HEAD COMMIT$/);
    expect(text.stdout).toMatch(new RegExp(`^gamma +never-deployed +- +${c.slice(0, 12)}$`, 'm'));
    // Deploy leaves beta (its last definition did not allow destroy), and deploys gamma as new.
    const r = await box.run(['deploy', '--since-deployed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const docs = (JSON.parse(r.stdout) as DeployDoc).stacks;
    expect(docs.map((s) => [s.name, s.operation, s.status])).toEqual([
      ['gamma', 'up', 'succeeded'],
      ['beta', 'destroy', 'skipped'],
    ]);
    expect(states(await status())).toEqual({ alpha: 'up-to-date', beta: 'deleted', gamma: 'up-to-date' });
  });

  it('a deployed commit missing from the clone fails closed with exit 2, naming the stack and the fetch depth', async () => {
    const before = await sha();
    await box.write('stacks/gamma.yaml', stackAt(7301));
    await commit('merge 5: move gamma');
    expect((await box.run(['deploy', '--since-deployed'])).code).toBe(0);
    // History rewritten under the deploy: the deployed commit is gone from the repository.
    await git('reset', '-q', '--hard', before);
    await box.write('stacks/gamma.yaml', stackAt(7302));
    await commit('merge 5, rewritten');
    await git('reflog', 'expire', '--expire=now', '--all');
    await git('gc', '-q', '--prune=now');
    const r = await box.run(['deploy', '--since-deployed']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /cannot tell what changed since the last deploy of gamma: their last deployed commit [0-9a-f]{40} is not in this clone/,
    );
    expect(r.stderr).toContain('fetch-depth: 0');
    const doc = await status();
    expect(doc.stacks.find((s) => s.name === 'gamma')?.state).toBe('unknown');
  });

  it('status refuses bad input with exit 2', async () => {
    const r = await box.run(['status', '--concurrency', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--concurrency 0: expected a whole number from 1 to 256');
  });
});
