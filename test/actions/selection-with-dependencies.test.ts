import { afterEach, describe, expect, it } from 'vitest';
import { operate, planOperate } from '../../src/actions/operate.js';
import type { RecordRead } from '../../src/backend-state/read-records.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import type { GitopsError } from '../../src/errors/gitops-error.js';
import { dependenciesOutside, withDependencies } from '../../src/schedule/with-dependencies.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { platformFiles, repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
afterEach(async () => repo?.dispose());

/** A record as the direct backend reader gives it: with or without a state file. */
function record(exists: boolean): RecordRead {
  return { ok: true, record: { exists, tags: {}, version: exists ? 1 : 0, pulumiLocks: [], gitopsLock: false, unknownOutcomes: false } };
}

/** network <- db <- app, and docs on its own. */
async function platform() {
  repo = await createGitRepo(platformFiles());
  return testContext(repo.dir, { concurrency: 1 });
}

const nodes = [
  { name: 'network', dependsOn: [] },
  { name: 'db', dependsOn: ['network'] },
  { name: 'app', dependsOn: ['db', 'network'] },
  { name: 'docs', dependsOn: [] },
];

describe('the selection grown by its dependencies (pure)', () => {
  it('adds every dependency however deep, once, saying which selected stack needs it', () => {
    const grown = withDependencies(nodes, ['app']);
    expect(grown.names).toEqual(['app', 'db', 'network']);
    expect(Object.fromEntries(grown.reasons)).toEqual({
      db: ['dependency of app (--with-deps)'],
      network: ['dependency of app (--with-deps)', 'dependency of db (--with-deps)'],
    });
  });

  it('a dependency selected by name stays "selected"; unknown names in dependsOn are ignored', () => {
    const grown = withDependencies([...nodes, { name: 'odd', dependsOn: ['gone'] }], ['app', 'db', 'odd']);
    expect(grown.names).toEqual(['app', 'db', 'odd', 'network']);
    expect(grown.reasons.has('db')).toBe(false);
  });

  it('dependencies left out of a plan, per planned stack', () => {
    expect(dependenciesOutside(nodes, ['app', 'docs'])).toEqual([
      { stack: 'app', dependency: 'db' },
      { stack: 'app', dependency: 'network' },
    ]);
    expect(dependenciesOutside(nodes, ['app', 'db', 'network'])).toEqual([]);
  });
});

describe('operate with dependencies never deployed', () => {
  it('refuses before anything runs, one line per missing dependency, exit 2', async () => {
    const { ctx, engine } = await platform();
    engine.records.set('db', record(false));
    engine.records.set('network', record(true));
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['app', 'docs'] } });
    const err = (await operate(ctx, plan).catch((e: unknown) => e)) as GitopsError;
    expect(err).toMatchObject({
      code: 'DEPENDENCY_NOT_DEPLOYED',
      message: 'stack app depends on db, which has never been deployed',
      hint: 'deploy it first (gitops deploy --stack db), or add --with-deps to take the dependencies along',
    });
    expect(exitCodeFor(err)).toBe(2);
    expect(engine.calls).toEqual([]);
  });

  it('several missing dependencies: all named at once', async () => {
    repo = await createGitRepo(
      repoFiles({ a: stackFile({}), b: stackFile({}), c: stackFile({ dependsOn: ['a', 'b'] }), d: stackFile({ dependsOn: ['a'] }) }),
    );
    const { ctx, engine } = await testContext(repo.dir);
    engine.records.set('a', record(false));
    engine.records.set('b', record(false));
    const plan = planOperate(ctx.catalog, { command: 'preview', selection: { names: ['c', 'd'] } });
    const err = (await operate(ctx, plan).catch((e: unknown) => e)) as GitopsError;
    expect(err.code).toBe('DEPENDENCY_NOT_DEPLOYED');
    expect(err.message).toBe('3 dependencies of the selected stacks have never been deployed');
    expect(err.details).toEqual([
      'stack c depends on a, which has never been deployed',
      'stack c depends on b, which has never been deployed',
      'stack d depends on a, which has never been deployed',
    ]);
    expect(err.hint).toContain('gitops deploy --stack a --stack b');
    expect(engine.calls).toEqual([]);
  });

  it('a record that cannot tell (CLI path) or a deployed dependency lets the run go ahead', async () => {
    const { ctx, engine } = await platform();
    engine.records.set('db', { ok: true });
    const results = await operate(ctx, planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['app'] } }));
    expect(results.map((r) => r.status)).toEqual(['succeeded']);
  });

  it('--with-deps deploys the dependencies first, in order', async () => {
    const { ctx, engine } = await platform();
    for (const s of ['network', 'db', 'app']) engine.records.set(s, record(false));
    const plan = planOperate(ctx.catalog, { command: 'deploy', selection: { names: ['app'] }, withDeps: true });
    expect(plan.waves).toEqual([['network'], ['db'], ['app']]);
    await operate(ctx, plan);
    expect(engine.log).toEqual(['network:up', 'db:up', 'app:up']);
  });

  it('a preview holds back, by design, what depends on a planned stack never deployed', async () => {
    const { ctx, engine } = await platform();
    engine.records.set('network', record(true));
    engine.records.set('db', record(false));
    const plan = planOperate(ctx.catalog, { command: 'preview', selection: { names: ['app'] }, withDeps: true });
    const results = await operate(ctx, plan);
    expect(engine.log).toEqual(['network:preview', 'db:preview']);
    expect(results.find((r) => r.name === 'app')).toMatchObject({
      status: 'skipped',
      benign: true,
      skipReason: 'not previewed: db has never been deployed, and its outputs exist only after its first deploy',
    });
  });
});
