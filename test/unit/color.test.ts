import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactingIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { summarize } from '../../src/cli/outcome.js';
import type { StackResult } from '../../src/engine/result.js';
import { skippedResult } from '../../src/engine/result.js';
import { colorEnabled, paintStatus } from '../../src/report/color.js';
import { renderProgress } from '../../src/report/console-progress.js';
import { Redactor } from '../../src/secrets/redact.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

const esc = '\u001b[';
const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
const yellow = (s: string) => `\u001b[33m${s}\u001b[39m`;

describe('whether to colour (pure)', () => {
  const cases: [string, Parameters<typeof colorEnabled>, boolean][] = [
    ['auto on a terminal', ['auto', {}, true], true],
    ['auto on a pipe or file', ['auto', {}, false], false],
    ['auto with NO_COLOR set', ['auto', { NO_COLOR: '1' }, true], false],
    ['auto with NO_COLOR set to anything non-empty', ['auto', { NO_COLOR: 'no' }, true], false],
    ['auto with NO_COLOR empty (does not count)', ['auto', { NO_COLOR: '' }, true], true],
    ['auto with FORCE_COLOR on a pipe', ['auto', { FORCE_COLOR: '1' }, false], true],
    ['auto with FORCE_COLOR empty (Node: on)', ['auto', { FORCE_COLOR: '' }, false], true],
    ['auto with FORCE_COLOR=0 on a terminal', ['auto', { FORCE_COLOR: '0' }, true], false],
    ['auto with FORCE_COLOR=false on a terminal', ['auto', { FORCE_COLOR: 'false' }, true], false],
    ['auto: NO_COLOR beats FORCE_COLOR', ['auto', { NO_COLOR: '1', FORCE_COLOR: '1' }, true], false],
    ['auto on a dumb terminal', ['auto', { TERM: 'dumb' }, true], false],
    ['always beats NO_COLOR and a pipe', ['always', { NO_COLOR: '1' }, false], true],
    ['never beats FORCE_COLOR and a terminal', ['never', { FORCE_COLOR: '1' }, true], false],
  ];
  for (const [name, args, expected] of cases) it(name, () => expect(colorEnabled(...args)).toBe(expected));
});

const ok: StackResult = {
  name: 'web',
  operation: 'up',
  status: 'succeeded',
  changes: { create: 1 },
  resources: [],
  durationMs: 1200,
};
const failed: StackResult = { ...ok, name: 'api', status: 'failed', error: { code: 'X', message: 'boom' } as StackResult['error'] };

describe('status words get a colour, nothing else does (pure)', () => {
  it('progress lines: green done, red FAILED and failed resources, yellow skipped', () => {
    expect(paintStatus(renderProgress({ type: 'stack-done', stack: 'web', result: ok })!)).toBe(
      `[web] ${green('up done')}: 1 create (1.2s)`,
    );
    expect(paintStatus(renderProgress({ type: 'stack-done', stack: 'api', result: failed })!)).toBe(`[api] ${red('FAILED')}: boom`);
    expect(
      paintStatus(renderProgress({ type: 'stack-done', stack: 'db', result: skippedResult('db', 'up', 'a dependency failed') })!),
    ).toBe(`[db] ${yellow('skipped')}: a dependency failed`);
    expect(paintStatus(renderProgress({ type: 'resource-failed', stack: 'api', urn: 'u', name: 'bucket', message: 'denied' })!)).toBe(
      `[api]   ${red('! ')}bucket: denied`,
    );
    expect(paintStatus(renderProgress({ type: 'diagnostic', stack: 'api', severity: 'warning', message: 'slow' })!)).toBe(
      `[api]   ${yellow('warning')}: slow`,
    );
  });

  it('summaries: one colour per stack line', () => {
    const text = paintStatus(summarize('deploy', [ok, failed, skippedResult('db', 'up', 'blocked: needs approval')]));
    expect(text).toBe(
      `deploy summary:\n  web: ${green('up done')}: 1 create (1.2s)\n  api: ${red('FAILED')}: boom\n  db: ${yellow('skipped')}: blocked: needs approval\n`,
    );
  });

  it('drift summaries: in sync and remediated green, drift left or blocked yellow', () => {
    expect(paintStatus('  web: no drift: 0 drifted')).toBe(`  web: ${green('no drift')}: 0 drifted`);
    expect(paintStatus('  web: DRIFT, remediation BLOCKED: 1 drifted\n    blocked: would delete')).toBe(
      `  web: ${yellow('DRIFT, remediation BLOCKED')}: 1 drifted\n    ${yellow('blocked')}: would delete`,
    );
  });

  it('lines that carry no status word stay as they are', () => {
    for (const line of [
      '[web] deploy started',
      '[web]   + create pulumi:Stack web',
      '[web] deploy still running (15.0s)',
      'wrote /tmp/x',
      '{"done": true}',
    ])
      expect(paintStatus(line)).toBe(line);
  });
});

describe('colour on the console only', () => {
  it('colour is added after redaction, so a secret is never split or revealed', () => {
    const redactor = new Redactor();
    redactor.add('hunter2-very-secret');
    let err = '';
    let out = '';
    const io = redactingIo(
      {
        stdout: (t) => {
          out += t;
        },
        stderr: (t) => {
          err += t;
        },
      },
      redactor,
      paintStatus,
    );
    io.stderr('[web] FAILED: password hunter2-very-secret rejected\n');
    io.stdout('[web] FAILED: hunter2-very-secret\n');
    expect(err).toBe(`[web] ${red('FAILED')}: password [secret] rejected\n`);
    // stdout (JSON, Markdown, lists) never gets colour.
    expect(out).toBe('[web] FAILED: [secret]\n');
  });

  let repo: GitRepo;
  beforeAll(async () => {
    repo = await createGitRepo(repoFiles({ web: stackFile({}) }));
  });
  afterAll(async () => repo.dispose());

  /** Runs the CLI in process; these commands never need an engine. */
  async function run(argv: string[], env: Record<string, string>, stderrIsTTY: boolean) {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      cwd: repo.dir,
      env,
      io: {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
      },
      signal: new AbortController().signal,
      stderrIsTTY,
    });
    return { code, stdout, stderr };
  }

  it('auto on a terminal colours stderr; NO_COLOR and a pipe do not; --color always does', async () => {
    const argv = ['deploy', '--stack', 'no-such-stack', '--plan'];
    expect((await run(argv, {}, true)).stderr).toContain(`${red('error')}: unknown stack`);
    expect((await run(argv, { NO_COLOR: '1' }, true)).stderr).not.toContain(esc);
    expect((await run(argv, {}, false)).stderr).not.toContain(esc);
    expect((await run([...argv, '--color', 'always'], { NO_COLOR: '1' }, false)).stderr).toContain(red('error'));
    expect((await run([...argv, '--color=never'], { FORCE_COLOR: '1' }, true)).stderr).not.toContain(esc);
  });

  it('JSON on stdout never carries colour, even with --color always', async () => {
    const r = await run(['deploy', '--all', '--plan', '--color', 'always'], {}, true);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(esc);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('--color takes only auto, always or never (exit 2)', async () => {
    const r = await run(['list', '--color', 'sometimes'], {}, true);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--color "sometimes": expected one of auto, always, never');
  });
});
