import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/api/drift-report.js';
import { notifyDrift } from '../../src/drift/notify.js';
import { notifyChannels } from '../../src/drift/notify-channels.js';
import type { ResourceChange, StackResult } from '../../src/engine/result.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { ForgePlatform } from '../../src/forge/forge.js';
import { reportDeploy } from '../../src/merge-request/report-deploy.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';
import { Redactor } from '../../src/secrets/redact.js';
import { redactDeep } from '../../src/secrets/redact-deep.js';
import { ciEnv, type ForgeServer, testForgeOptions, testProjects } from '../helpers/forge-server.js';
import { freshForgeServerEachTest } from '../helpers/fresh-forge-server.js';

/*
 * Redact first, once: a secret holding each output format's special characters (Slack's & < >,
 * Markdown's | * _ ` [ ], JSON's " \ and a newline, URL's % +) reaches every output path in each
 * form it leaks in (plain, JSON-escaped, URL-encoded, base64), inside text the renderer escapes,
 * collapses and cuts. Nothing of it may come out, in any escaping; `[secret]` must.
 */
const secret = 'Tr0ub4dor&3<x>|*_`[CANARY](y)"\\ %+\nsecond-line-9f2';
const forms = {
  plain: secret,
  json: JSON.stringify(secret).slice(1, -1),
  url: encodeURIComponent(secret),
  base64: Buffer.from(secret).toString('base64'),
};
// What survives any escaping of a form: its distinctive letters.
const traces = ['Tr0ub4dor', 'CANARY', 'second-line-9f2', forms.base64.slice(0, 16), forms.url.slice(0, 14)];
const leaks = (text: string) => traces.filter((t) => text.includes(t));

const redactor = new Redactor();
redactor.add(secret);
const redact = (t: string) => redactor.redact(t);

// Long padding first, so a cut at 300 characters (deploy detail) or 2,000 (errors) falls inside the secret.
const padded = (form: string, pad: number) => `${'x '.repeat(pad)}${form} tail`;

const resource = (value: string): ResourceChange => ({
  urn: 'urn:pulumi:prod::app::gitops:demo:LocalFile::settings',
  type: 'gitops:demo:LocalFile',
  name: 'settings',
  op: 'update',
  changedProperties: ['content'],
  properties: [{ path: 'content', kind: 'update', old: 'old', new: value }],
});

const driftReports = (): DriftReport[] =>
  Object.entries(forms).map(([form, text]) => ({
    name: `prod-${form}`,
    status: 'succeeded',
    policy: 'detect',
    drifted: [resource(padded(text, 20))],
    deleted: [],
    managedElsewhere: [],
    unchanged: 0,
    action: 'blocked',
    blockedReason: padded(text, 80),
    durationMs: 1,
  }));

const failedResults = (): StackResult[] =>
  Object.entries(forms).map(([form, text]) => ({
    name: `web-${form}`,
    operation: 'up',
    status: 'failed',
    changes: {} as StackResult['changes'],
    resources: [resource(padded(text, 10))],
    durationMs: 1,
    error: new GitopsError({ code: 'PROGRAM_ERROR', kind: 'user', message: padded(text, 140) }),
  }));

let server: ForgeServer;
freshForgeServerEachTest((s) => {
  server = s;
});

const forgeFor = (platform: ForgePlatform) => createForge(forgeSettingsFromEnv(ciEnv(server, platform)), testForgeOptions);

it('the canary itself would leak without redaction (the check can fail)', () => {
  expect(leaks(JSON.stringify(failedResults()))).not.toEqual([]);
  expect(leaks(redact(JSON.stringify(failedResults())))).toEqual([]);
});

describe('Slack and webhook', () => {
  it('get reports redacted before Slack escapes & < > and cuts', async () => {
    const sent: { url: string; body: unknown }[] = [];
    const send = async (url: string, body: unknown) => {
      sent.push({ url, body });
      return { ok: true, attempts: 1 };
    };
    const targets = [
      { kind: 'slack', url: 'https://hooks.slack.test/T/B/x' },
      { kind: 'webhook', url: 'https://hooks.test/drift' },
    ] as const;
    const outcomes = await notifyChannels(driftReports(), targets, { time: new Date(0), commit: 'c'.repeat(40) }, redact, { send });
    expect(outcomes.every((o) => o.ok && o.sent)).toBe(true);
    for (const s of sent) {
      const text = JSON.stringify(s.body);
      expect(leaks(text), s.url).toEqual([]);
      expect(text).toContain('[secret]');
    }
  });
});

describe.each(['gitlab', 'github'] as const)('%s', (platform) => {
  it('drift issues: redacted before the body is escaped and cut', async () => {
    const outcomes = await notifyDrift(driftReports(), forgeFor(platform), redact, { time: new Date(0) });
    expect(outcomes.map((o) => o.action)).toEqual(['opened', 'opened', 'opened', 'opened']);
    const bodies = server.state.project(platform, testProjects[platform]).issues.map((i) => i.body);
    expect(bodies).toHaveLength(4);
    for (const b of bodies) {
      expect(leaks(b)).toEqual([]);
      expect(b).toContain('[secret]');
    }
  });

  it('deploy comment and commit statuses: redacted before whitespace is collapsed and details cut at 300', async () => {
    const number = 60;
    server.state.addMergeRequest(platform, testProjects[platform], { number });
    const commit = 'f'.repeat(40);
    server.state.linkCommit(platform, testProjects[platform], commit, number);
    const mr = server.state.project(platform, testProjects[platform]).mergeRequests.find((m) => m.number === number)!;
    Object.assign(mr, { state: 'merged', mergeCommitSha: commit });
    const warnings: string[] = [];
    const reported = await reportDeploy(forgeFor(platform), { results: failedResults(), commit, commits: [commit] }, redact, (w) =>
      warnings.push(w),
    );
    expect(warnings).toEqual([]);
    expect(reported.comments).toHaveLength(1);
    const body = mr.comments.at(-1)!.body;
    expect(leaks(body)).toEqual([]);
    expect(body).toContain('[secret]');
    const statuses = server.state.project(platform, testProjects[platform]).statuses.filter((s) => s.sha === commit);
    expect(statuses).toHaveLength(4);
    for (const s of statuses) expect(leaks(s.description ?? '')).toEqual([]);
  });
});

describe('MR comment, console, JSON and errors', () => {
  it('the preview comment: the report redacted raw before values and errors are escaped and cut', () => {
    const report = { results: failedResults(), approvals: {}, limit: 65_536 };
    const md = previewMarkdown({ ...redactDeep(report, redact), redact, limit: 65_536 });
    expect(leaks(md)).toEqual([]);
    expect(md).toContain('[secret]');
  });

  it('console, JSON and error text go through the redactor, which knows the JSON-escaped and encoded forms', () => {
    const results = failedResults();
    const json = JSON.stringify({ stacks: results.map((r) => ({ ...r, error: { code: r.error!.code, message: r.error!.message } })) });
    const consoleText = results.map((r) => `[${r.name}] up failed: ${r.error!.message}`).join('\n');
    const errors = results.map((r) => `error: ${r.error!.message}\n  hint: ${forms.json}`).join('\n');
    for (const text of [json, consoleText, errors]) {
      expect(leaks(redact(text))).toEqual([]);
      expect(redact(text)).toContain('[secret]');
    }
  });
});
