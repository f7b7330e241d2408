import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/api/drift-report.js';
import { githubDeployReport, githubDriftReport, reportToGithubActions } from '../../src/cli/github-actions.js';
import type { CliEnv } from '../../src/cli/io.js';
import type { StackResult } from '../../src/engine/result.js';
import { annotation, driftAnnotations, escapeData, escapeProperty, operationAnnotations } from '../../src/report/github-annotations.js';

/**
 * GitHub Actions: `::error` annotations escaped by the workflow-command rules, and the job
 * summary appended to $GITHUB_STEP_SUMMARY, only when GITHUB_ACTIONS=true, never with secrets.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-gha-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function cliWith(env: Record<string, string>): { cli: CliEnv; stderr: () => string; stdout: () => string } {
  let err = '';
  let out = '';
  const cli: CliEnv = {
    cwd: dir,
    env,
    io: {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
    },
    signal: new AbortController().signal,
  };
  return { cli, stderr: () => err, stdout: () => out };
}

const result = (name: string, extra: Partial<StackResult>): StackResult => ({
  name,
  operation: 'up',
  status: 'succeeded',
  changes: {},
  resources: [],
  durationMs: 1,
  ...extra,
});
const redact = (t: string) => t.replaceAll('hunter2', '[secret]');

describe('workflow command escaping', () => {
  it('escapes %, CR and LF in the message, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('gitops deploy: web, api 100%\n')).toBe('gitops deploy%3A web%2C api 100%25%0A');
    expect(annotation('error', 'a: b', 'line 1\nline 2')).toBe('::error title=a%3A b::line 1%0Aline 2');
  });

  it('annotates failed stacks (error) and stacks that did not run (warning), redacting before escaping', () => {
    const lines = operationAnnotations(
      'deploy',
      [
        result('web', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'password hunter2 rejected\nat line 3' } }),
        result('api', { status: 'skipped', skipReason: 'depends on web, which failed' }),
        result('gone', { status: 'skipped', skipReason: 'left alone', benign: true }),
        result('ok', {}),
      ],
      redact,
    );
    expect(lines).toEqual([
      '::error title=gitops deploy%3A web failed::PROVIDER_ERROR: password [secret] rejected%0Aat line 3',
      '::warning title=gitops deploy%3A api not run::depends on web, which failed',
    ]);
  });

  it('annotates drift: failed checks as errors, drift left as warnings', () => {
    const base: DriftReport = {
      name: 'db',
      status: 'succeeded',
      policy: 'detect',
      drifted: [],
      deleted: [],
      managedElsewhere: [],
      unchanged: 0,
      action: 'none',
      durationMs: 1,
    };
    const drifted = {
      ...base,
      name: 'web',
      action: 'reported' as const,
      drifted: [{ urn: 'u', type: 't', name: 'n', op: 'update', changedProperties: [], properties: [] }],
    };
    const failed = { ...base, status: 'failed' as const, action: 'failed' as const, error: { code: 'ENGINE_ERROR', message: 'boom' } };
    expect(driftAnnotations([base, drifted, failed])).toEqual([
      '::warning title=gitops drift%3A web drifted::1 resource differ from Git',
      '::error title=gitops drift%3A db failed::ENGINE_ERROR: boom',
    ]);
  });
});

describe('the step output', () => {
  it('prints annotations on stderr and appends the deploy report to the job summary, with the update version', async () => {
    const file = path.join(dir, 'summary.md');
    const { cli, stderr, stdout } = cliWith({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file });
    const results = [
      result('web', { changes: { update: 1 }, updateVersion: 7 }),
      result('api', { status: 'failed', error: { code: 'PROGRAM_ERROR', message: 'token hunter2 leaked?' } }),
    ];
    await githubDeployReport(cli, { redact, ci: { defaultBranch: 'main', pipelineUrl: 'https://gh/run/1' } }, results, 'f'.repeat(40));
    await githubDeployReport(cli, { redact, ci: { defaultBranch: 'main' } }, results.slice(0, 1), 'f'.repeat(40));
    expect(stdout()).toBe('');
    expect(stderr()).toBe('::error title=gitops deploy%3A api failed::PROGRAM_ERROR: token [secret] leaked?\n');
    const summary = await readFile(file, 'utf8');
    expect(summary).toContain(`### ❌ Deploy of \`ffffffffffff\`: 1 failed, 1 deployed\n\n[pipeline](https://gh/run/1)`);
    expect(summary).toContain('| `web` | ✅ deployed | 7 | 1 update |');
    expect(summary).toContain('| `api` | ❌ failed |  | token [secret] leaked? |');
    // Appended: the second step's report follows the first.
    expect(summary.indexOf('1 failed, 1 deployed')).toBeLessThan(summary.indexOf('Deploy of `ffffffffffff`: 1 deployed'));
    expect(summary).not.toContain('hunter2');
  });

  it('writes the drift report as the job summary', async () => {
    const file = path.join(dir, 'drift.md');
    const { cli, stderr } = cliWith({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: file });
    const report: DriftReport = {
      name: 'web',
      status: 'succeeded',
      policy: 'detect',
      drifted: [
        { urn: 'urn:x::index-html', type: 'local:File', name: 'index-html', op: 'update', changedProperties: ['content'], properties: [] },
      ],
      deleted: [],
      managedElsewhere: [],
      unchanged: 0,
      action: 'reported',
      durationMs: 1,
    };
    await githubDriftReport(cli, { redact }, { reports: [report], commit: 'e'.repeat(40), time: new Date('2026-11-27T12:00:00Z') });
    const summary = await readFile(file, 'utf8');
    expect(summary).toContain('web');
    expect(summary).toContain('### Drift report: 1 of 1 stack');
    expect(stderr()).toBe('::warning title=gitops drift%3A web drifted::1 resource differ from Git\n');
  });

  it('does nothing outside GitHub Actions, and warns when the summary file cannot be written', async () => {
    const quiet = cliWith({ GITHUB_STEP_SUMMARY: path.join(dir, 'never.md') });
    await reportToGithubActions(quiet.cli, redact, { annotations: () => ['::error::x'], summary: () => 'x' });
    expect(quiet.stderr()).toBe('');
    await expect(readFile(path.join(dir, 'never.md'), 'utf8')).rejects.toThrow();
    const broken = cliWith({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: path.join(dir, 'missing', 'summary.md') });
    await reportToGithubActions(broken.cli, redact, { annotations: () => [], summary: () => 'x' });
    expect(broken.stderr()).toContain('warning: cannot append the job summary to GITHUB_STEP_SUMMARY');
  });
});
