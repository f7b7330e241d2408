import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

let repo: GitRepo;
beforeAll(async () => {
  repo = await createGitRepo(
    repoFiles({ web: stackFile({}), api: stackFile({ dependsOn: ['web'] }), auto: stackFile({ policy: 'remediate' }) }),
  );
});
afterAll(async () => repo.dispose());

/** Runs the CLI in process, as bin/gitops.js would, with an environment that has no engine settings. */
async function gitops(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd: repo.dir,
    env: { PATH: process.env.PATH },
    io: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
    },
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

describe('flags that need or exclude other flags are refused before anything runs (exit 2)', () => {
  it.each([
    [['preview', '--all', '--comment'], '--comment needs --base'],
    [['preview', '--all', '--markdown', 'x.md'], '--markdown needs --base'],
    [['preview', '--all', '--base', 'main'], '--base and --all cannot be used together'],
    [['preview', '--stack', 'web', '--base', 'main'], '--base and --stack cannot be used together'],
    [['deploy', '--all', '--force'], '--force needs --base'],
    [['deploy', '--all', '--allow-destroy'], '--allow-destroy needs --base'],
    [['deploy', '--all', '--head', 'HEAD'], '--head needs --base'],
    [['affected', '--files', 'a.ts', '--base', 'main'], '--base and --files cannot be used together'],
    [['drift', '--all', '--remediate', '--detect-only'], '--detect-only and --remediate cannot be used together'],
    [['deploy', '--all', '--override-approvals'], '--override-approvals needs --reason'],
    [['deploy', '--all', '--reason', 'x'], '--reason needs --override-approvals'],
    [['deploy', '--all', '--override-approvals', '--reason', ' '], '--reason must say why approvals are overridden'],
    [['deploy', '--base', 'main', '--override-approvals', '--reason', 'x'], '--override-approvals and --base cannot be used together'],
  ])('gitops %j', async (argv, message) => {
    const r = await gitops(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('numbers and output paths are checked before anything runs (exit 2)', () => {
  it.each([
    [['preview', '--all', '--concurrency', 'abc'], '--concurrency abc: expected a whole number from 1 to 256'],
    [['drift', '--all', '--concurrency', '0'], '--concurrency 0: expected a whole number from 1 to 256'],
    [['deploy', '--all', '--concurrency', '1.5'], '--concurrency 1.5: expected a whole number from 1 to 256'],
    [['drift', '--all', '--shard', '5/4'], '--shard 5/4: expected I/N with 1 <= I <= N'],
    [
      ['drift', '--all', '--markdown', '/nonexistent/x.md'],
      '--markdown /nonexistent/x.md: cannot write there: folder /nonexistent does not exist',
    ],
    [
      ['drift', '--all', '--history', '/nonexistent/h.jsonl'],
      '--history /nonexistent/h.jsonl: cannot write there: folder /nonexistent does not exist',
    ],
    [['preview', '--base', 'main', '--markdown', '/nonexistent/x.md'], 'folder /nonexistent does not exist'],
  ])('gitops %j', async (argv, message) => {
    const r = await gitops(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/started|at .*\.ts:\d+/);
  });
});

describe('help that helps', () => {
  it('--version prints the version', async () => {
    let stdout = '';
    const code = await main(['--version'], {
      cwd: repo.dir,
      env: {},
      io: {
        stdout: (t) => {
          stdout += t;
        },
        stderr: () => undefined,
      },
      signal: new AbortController().signal,
      version: '9.8.7',
    });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe('9.8.7');
  });

  it('a mistyped command gets a suggestion', async () => {
    const r = await gitops('previe');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: did you mean `gitops preview`?');
  });

  it('a mistyped stack gets the nearest name', async () => {
    const r = await gitops('preview', '--stack', 'wbe', '--plan');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"wbe" -> did you mean "web"?');
  });

  it('help shows examples and the exit codes', async () => {
    const r = await gitops('--help');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('130  cancelled (SIGINT/SIGTERM)');
  });
});

describe('plans print without an engine', () => {
  it('deploy --all --plan prints the plan as JSON and exits 0', async () => {
    const r = await gitops('deploy', '--all', '--plan', '--concurrency', '3');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ operation: 'up', waves: [['auto', 'web'], ['api']] });
  });

  it.each([
    [['--no-remediate'], false],
    [['--detect-only'], false],
    [[], true],
  ])('drift %j --plan: a remediate-policy stack is remediated only when nothing says otherwise', async (flags, expected) => {
    const r = await gitops('drift', '--stack', 'auto', ...flags, '--plan');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ operation: 'drift', stacks: [{ name: 'auto', policy: 'remediate', remediate: expected }] });
  });

  it('drift --plan says which stacks would be remediated', async () => {
    const r = await gitops('drift', '--stack', 'web', '--remediate', '--plan');
    expect(JSON.parse(r.stdout)).toEqual({ operation: 'drift', stacks: [{ name: 'web', policy: 'detect', remediate: true }] });
  });
});

describe('usage errors in our own words, never yargs', () => {
  it.each([
    [['preview', '--all', '--expect-no-changes'], 'error: unknown option --expect-no-changes\n'],
    [['drift', '--all', '--detect-onyl'], 'error: unknown option --detect-onyl\nhint: did you mean --detect-only?'],
    [['preview', '--stak', 'web'], 'error: unknown option --stak\nhint: did you mean --stack?'],
    [['drift', 'history', '--fil', 'x'], 'error: unknown option --fil\nhint: did you mean --file?'],
    [['previw', '--all'], 'error: unknown command "previw"\nhint: did you mean `gitops preview`?'],
    [['list', '--color', 'blue'], 'error: --color "blue": expected one of auto, always, never'],
  ])('gitops %j', async (argv, message) => {
    const r = await gitops(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    // yargs' own wording, and its camelCase twins of flags, never reach the user.
    expect(r.stderr).not.toMatch(/Unknown argument|expectNoChanges|Missing dependent|mutually exclusive|Invalid values|Did you mean/);
  });

  it('preview --comment without forge settings is a configuration error: exit 2, naming what is missing', async () => {
    const r = await gitops('preview', '--base', 'HEAD', '--comment');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: forge: /m);
  });
});
