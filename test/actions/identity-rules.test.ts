import { afterEach, describe, expect, it } from 'vitest';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { deployOnMerge } from '../../src/merge-request/deploy-on-merge.js';
import { previewMergeRequest } from '../../src/merge-request/preview-merge-request.js';
import { deploySinceDeployed } from '../../src/merge-request/since-deployed.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * Rules by identity and forward-only deploys, in process with a FakeEngine (whose `lastDeployed`
 * plays each file's deploy record) and real git, with no forge: a protected stack is always
 * refused. GIVEN prod (approvals 1) and dev, WHEN one change moves identities between files or
 * a deploy runs from an older commit, THEN the old rules hold and nothing moves backwards.
 */
let repo: GitRepo;
afterEach(async () => repo?.dispose());

const protectedProd = stackFile({ approvals: 1 });
const withIdentity = (text: string, stack: string) => `${text}stack: ${stack}\n`;

async function twoStacks(): Promise<string> {
  repo = await createGitRepo(repoFiles({ prod: protectedProd, dev: stackFile({}) }));
  return repo.sha();
}

async function onMerge(base: string) {
  const t = await testContext(repo.dir, { branch: 'main' });
  const scope = await affectedStacks(t.ctx, { base });
  const result = await deployOnMerge(t.ctx, scope, { allowDestroy: false, head: 'HEAD' });
  return { ...t, byName: new Map(result.results.map((r) => [r.name, r])) };
}

async function sinceDeployed(deployed: Record<string, string | undefined>) {
  const t = await testContext(repo.dir, { branch: 'main' });
  for (const [name, commit] of Object.entries(deployed)) t.engine.lastDeployed.set(name, commit);
  const result = await deploySinceDeployed(t.ctx, {});
  return { ...t, ...result, byName: new Map(result.results.map((r) => [r.name, r])) };
}

const refused = { status: 'skipped', skipReason: expect.stringMatching(/^deploy refused: needs 1 approval/) };

describe('rules by identity', () => {
  it('an identity swap: the file that claims a protected identity needs its approvals (deploy --base)', async () => {
    const c0 = await twoStacks();
    await repo.write({
      'stacks/dev.yaml': withIdentity(stackFile({}), 'prod'),
      'stacks/prod.yaml': withIdentity(protectedProd, 'prod-new'),
    });
    await repo.commit('swap');
    const { byName, engine } = await onMerge(c0);
    expect(byName.get('dev')).toMatchObject(refused);
    expect(byName.get('prod')).toMatchObject(refused);
    expect(engine.log).toEqual([]);
    // The MR comment's "Needs approval" column says so before the merge.
    const t = await testContext(repo.dir, { branch: 'main' });
    const { report } = await previewMergeRequest(t.ctx, await affectedStacks(t.ctx, { base: c0 }), { comment: false });
    expect(report.approvals).toMatchObject({ dev: 1, prod: 1 });
  });

  it('an identity swap under --since-deployed: the record of app/prod is read through dev.yaml, its rules too', async () => {
    const c0 = await twoStacks();
    await repo.write({
      'stacks/dev.yaml': withIdentity(stackFile({}), 'prod'),
      'stacks/prod.yaml': withIdentity(stackFile({}), 'prod-new'),
    });
    await repo.commit('swap, and drop the approvals');
    // dev.yaml now names test/prod, deployed at c0; prod.yaml names test/prod-new, never deployed.
    const { byName, engine } = await sinceDeployed({ dev: c0 });
    expect(byName.get('dev')).toMatchObject(refused);
    expect(byName.get('prod')).toMatchObject(refused);
    expect(engine.log).toEqual([]);
  });

  it('a new identity that replaces a protected one keeps its rules under --since-deployed; a new file is new', async () => {
    await twoStacks();
    await repo.write({ 'stacks/prod.yaml': withIdentity(stackFile({}), 'prod2'), 'stacks/extra.yaml': stackFile({}) });
    await repo.commit('new identity without approvals, and a new stack');
    const { byName, engine } = await sinceDeployed({ dev: await repo.sha() });
    expect(byName.get('prod')).toMatchObject(refused);
    expect(engine.log).toEqual(['extra:up']);
  });

  it("stacks with no record (a backend switch) take the rules of the head's first parent", async () => {
    await twoStacks();
    await repo.write({
      'Pulumi.yaml': 'name: test\nruntime: nodejs\nbackend:\n  url: file://./elsewhere\n',
      'stacks/prod.yaml': stackFile({}),
    });
    await repo.commit('switch the backend and drop the approvals');
    const { byName, engine } = await sinceDeployed({});
    expect(byName.get('prod')).toMatchObject(refused);
    expect(engine.log).toEqual(['dev:up']);
  });
});

describe('forward only', () => {
  it('a stale pipeline is refused with exit 2, naming the stack and both commits', async () => {
    const c0 = await twoStacks();
    await repo.write({ 'stacks/dev.yaml': `${stackFile({})}description: c1\n` });
    const c1 = await repo.commit('c1');
    await repo.write({ 'stacks/dev.yaml': `${stackFile({})}description: c2\n` });
    const c2 = await repo.commit('c2');
    await repo.git('checkout', '--quiet', c1);
    const err = await sinceDeployed({ dev: c2, prod: c0 }).catch((e: GitopsError) => e);
    expect(err).toMatchObject({ code: 'DEPLOY_REFUSED' });
    expect((err as GitopsError).message).toBe(
      `deploy refused: dev runs ${c2.slice(0, 12)}, which commit ${c1.slice(0, 12)} does not contain: deploying ${c1.slice(0, 12)} would move it backwards`,
    );
    const t = await testContext(repo.dir, { branch: 'main' });
    t.engine.lastDeployed.set('dev', c2);
    const scope = await affectedStacks(t.ctx, { base: c0 });
    const base = await deployOnMerge(t.ctx, scope, { allowDestroy: false, head: 'HEAD' }).catch((e: GitopsError) => e);
    expect(base).toMatchObject({ code: 'DEPLOY_REFUSED', message: expect.stringContaining(`dev runs ${c2.slice(0, 12)}`) });
    expect(t.engine.log).toEqual([]);
  });

  it('a revert commit moves forward and deploys', async () => {
    await twoStacks();
    await repo.write({ 'stacks/dev.yaml': `${stackFile({})}description: c2\n` });
    const c2 = await repo.commit('c2');
    await repo.git('revert', '--no-edit', c2);
    const { engine } = await sinceDeployed({ dev: c2, prod: c2 });
    expect(engine.log).toEqual(['dev:up']);
  });

  it('a recorded commit off the default branch is not trusted: the stack is deployed in full under the base rules', async () => {
    const c0 = await twoStacks();
    await repo.git('checkout', '--quiet', '-b', 'mr');
    await repo.write({ 'stacks/prod.yaml': stackFile({}) });
    const side = await repo.commit('an MR branch that drops the approvals');
    await repo.git('checkout', '--quiet', 'main');
    await repo.write({ 'stacks/prod.yaml': `${protectedProd}description: later\n` });
    await repo.commit('later');
    const { byName, scope, lines } = await sinceDeployed({ prod: side, dev: c0 });
    expect(byName.get('prod')).toMatchObject(refused);
    expect(scope.affected.stacks.find((s) => s.name === 'prod')?.reasons).toEqual([{ kind: 'undeployed', commit: side }]);
    expect(lines().join('\n')).toContain(`prod: its recorded deployed commit ${side.slice(0, 12)} is not on the default branch's history`);
  });
});
