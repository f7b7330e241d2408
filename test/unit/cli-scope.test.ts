import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { RunRequest } from '../../src/engine/engine.js';
import { scopedEngine, scopeNote } from '../../src/engine/run-scope.js';
import { FakeEngine } from '../helpers/fake-engine.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
beforeAll(async () => {
  repo = await createGitRepo(repoFiles({ web: stackFile({}), api: stackFile({}) }));
});
afterAll(async () => repo.dispose());

/** Runs the CLI in process with no engine settings: every case here stops before an engine opens. */
async function gitops(...argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await main(argv, {
    cwd: repo.dir,
    env: { PATH: process.env.PATH },
    io: {
      stdout: () => undefined,
      stderr: (t) => {
        stderr += t;
      },
    },
    signal: new AbortController().signal,
  });
  return { code, stderr };
}

const urn = 'urn:pulumi:web::web::gitops:demo:LocalFile::index-html';

describe('--target needs one stack; --refresh only by selection (exit 2, nothing runs)', () => {
  it.each([
    [['preview', '--target', urn], '--target needs --stack'],
    [['deploy', '--stack', 'web', '--all', '--target', urn], '--target and --all cannot be used together'],
    [['deploy', '--stack', 'web', '--stack', 'api', '--target', urn], '--target needs exactly one --stack (got 2: web, api)'],
    [['preview', '--stack', 'web', '--target', 'index-html'], '--target index-html: expected a URN'],
    [['deploy', '--stack', 'web', '--target', urn, '--plans', 'plans'], '--target and --plans cannot be used together'],
    [['deploy', '--base', 'main', '--refresh'], '--refresh and --base cannot be used together'],
    [['preview', '--base', 'main', '--refresh'], '--refresh and --base cannot be used together'],
    [['deploy', '--since-deployed', '--refresh'], '--refresh and --since-deployed cannot be used together'],
    [['drift', '--all', '--target', urn], 'unknown option --target'],
  ])('gitops %j', async (argv, message) => {
    const r = await gitops(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('a target with one stack plans normally', async () => {
    const r = await gitops('deploy', '--stack', 'web', '--target', urn, '--refresh', '--plan');
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('the scoped engine', () => {
  const stack = { name: 'web' } as RunRequest['stack'];
  const seen = (engine: FakeEngine, operation: RunRequest['operation']) => {
    const requests: RunRequest[] = [];
    engine.script('web', operation, (r) => {
      requests.push(r);
      return {};
    });
    return requests;
  };

  it('passes targets and refresh to preview and up, and an up records its targets in the message', async () => {
    const fake = new FakeEngine();
    const ups = seen(fake, 'up');
    const previews = seen(fake, 'preview');
    const engine = scopedEngine(fake, { targets: [urn], refresh: true });
    await engine.run({ stack, operation: 'preview' }, () => undefined);
    await engine.run({ stack, operation: 'up', message: 'gitops deploy of abc123' }, () => undefined);
    expect(previews[0]).toMatchObject({ targets: [urn], refresh: true });
    expect(previews[0]!.message).toBeUndefined();
    expect(ups[0]).toMatchObject({ targets: [urn], refresh: true, message: `gitops deploy of abc123; targeted: ${urn}` });
  });

  it('leaves other operations alone, and reaches every other engine method', async () => {
    const fake = new FakeEngine();
    const destroys = seen(fake, 'destroy');
    const engine = scopedEngine(fake, { targets: [urn] });
    await engine.run({ stack, operation: 'destroy', message: 'm' }, () => undefined);
    expect(destroys[0]!.targets).toBeUndefined();
    expect(destroys[0]!.message).toBe('m');
    fake.lastDeployed.set('web', 'abc');
    expect(await engine.lastDeployedCommit(stack)).toBe('abc');
    expect(fake.historyReads).toEqual(['web']);
  });

  it('a refresh alone adds nothing to the message', () => {
    expect(scopeNote({ refresh: true })).toBeUndefined();
    expect(scopeNote({ targets: ['a', 'b'] })).toBe('targeted: a, b');
  });
});
