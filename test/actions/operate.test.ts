import { afterEach, describe, expect, it } from 'vitest';
import { operate, planOperate } from '../../src/actions/operate.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { platformFiles } from '../helpers/stack-files.js';

let repo: GitRepo;
afterEach(async () => repo?.dispose());

/** network <- db <- app, and docs on its own. */
async function platform(options: { signal?: AbortSignal; concurrency?: number } = {}) {
  repo = await createGitRepo(platformFiles());
  return testContext(repo.dir, options);
}

describe('selection and planning', () => {
  it('plans dependents after their dependencies, in waves, with the reason', async () => {
    const { ctx } = await platform();
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { all: true } });
    expect(plan.operation).toBe('up');
    expect(plan.waves).toEqual([['docs', 'network'], ['db'], ['app']]);
    expect(plan.stacks.find((s) => s.name === 'app')).toEqual({ name: 'app', after: ['db'], reasons: ['selected'] });
  });

  it('--stack runs only the named stacks, ordered among themselves (also through stacks left out)', async () => {
    const { ctx } = await platform();
    const plan = planOperate(ctx.catalog, { command: 'preview', selection: { names: ['app', 'network'] } });
    expect(plan.stacks.map((s) => s.name)).toEqual(['network', 'app']);
    expect(plan.stacks.find((s) => s.name === 'app')!.after).toEqual(['network']);
  });

  it('refuses unknown stacks all at once, --stack with --all, and no selection', async () => {
    const { ctx } = await platform();
    const refused = (selection: { names?: string[]; all?: boolean }) => {
      try {
        planOperate(ctx.catalog, { command: 'deploy', selection });
        return undefined;
      } catch (err) {
        return err as GitopsError;
      }
    };
    expect(refused({ names: ['nope', 'app', 'gone'] })).toMatchObject({
      code: 'STACK_UNKNOWN',
      message: 'unknown stacks "nope", "gone": no stacks/nope.yaml',
    });
    expect(refused({ names: ['app'], all: true })).toMatchObject({ code: 'USAGE' });
    expect(refused({})).toMatchObject({ code: 'USAGE' });
  });

  it('keeps stacks linked by dependsOn in one shard, and the shards cover every stack once', async () => {
    const { ctx } = await platform();
    const shards = [1, 2].map((index) =>
      planOperate(ctx.catalog, { command: 'deploy', selection: { all: true }, shard: { index, count: 2 } }).stacks.map((s) => s.name),
    );
    expect(shards.flat().sort()).toEqual(['app', 'db', 'docs', 'network']);
    const withNetwork = shards.find((s) => s.includes('network'))!;
    expect(withNetwork).toEqual(expect.arrayContaining(['network', 'db', 'app']));
  });
});

describe('the scheduler, through the operate action', () => {
  it('a failure stops its dependents and nothing else', async () => {
    const { ctx, engine } = await platform({ concurrency: 1 });
    engine.script('db', 'up', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'boom' } });
    const results = await operate(ctx, planOperate(ctx.catalog, { command: 'deploy', selection: { all: true } }), { message: 'msg' });
    expect(Object.fromEntries(results.map((r) => [r.name, r.status]))).toEqual({
      docs: 'succeeded',
      network: 'succeeded',
      db: 'failed',
      app: 'skipped',
    });
    expect(results.find((r) => r.name === 'app')!.skipReason).toBe('depends on db, which failed');
    expect(engine.log).not.toContain('app:up');
    expect(engine.calls.every((c) => c.message === 'msg')).toBe(true);
  });

  it('cancellation skips every stack that has not started, and the running one reports cancelled', async () => {
    const controller = new AbortController();
    const { ctx, engine } = await platform({ signal: controller.signal, concurrency: 1 });
    engine.script('network', 'up', async (request) => {
      await new Promise((r) => setTimeout(r, 5));
      controller.abort();
      expect(request.signal?.aborted).toBe(true);
      return { status: 'cancelled' };
    });
    const results = await operate(ctx, planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['network', 'db', 'app'] } }));
    expect(results.map((r) => [r.name, r.status, r.skipReason])).toEqual([
      ['network', 'cancelled', undefined],
      ['db', 'skipped', 'depends on network, which was cancelled'],
      ['app', 'skipped', 'depends on db, which was skipped'],
    ]);
    expect(engine.log).toEqual(['network:up']);
  });

  it('opens the engine only for the planned stacks', async () => {
    const { ctx, engine } = await platform();
    await operate(ctx, planOperate(ctx.catalog, { command: 'preview', selection: { names: ['docs'] } }));
    expect(engine.opened).toEqual([['docs']]);
    expect(engine.log).toEqual(['docs:preview']);
  });
});
