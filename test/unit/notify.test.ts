import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/api/drift-report.js';
import { main } from '../../src/cli/main.js';
import { notifyChannels } from '../../src/drift/notify-channels.js';
import { sendJson } from '../../src/drift/notify-send.js';
import { parseNotifyTargets } from '../../src/drift/notify-targets.js';
import { driftSlackPayload, slackEscape } from '../../src/drift/slack-payload.js';
import { DRIFT_WEBHOOK_SCHEMA, driftWebhookPayload } from '../../src/drift/webhook-payload.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import type { RetryPolicy } from '../../src/forge/retry-policy.js';
import { createGitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * `--notify slack=URL` and `--notify webhook=URL`: flag parsing, the Slack and webhook payloads,
 * and delivery with retries against a real local HTTP server (node:http) that answers what a
 * flaky receiver would: 503 then 200, 429 with Retry-After.
 */
const fast: RetryPolicy = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 5_000, maxTotalMs: 10_000 };
const time = new Date('2026-11-27T12:00:00Z');

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
let server: http.Server;
let base: string;
let received: Received[];
/** Replies by path, in order; each entry is used once, the last one repeats. */
let replies: Map<string, { status: number; headers?: Record<string, string>; body?: string }[]>;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += String(c);
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const queue = replies.get(path) ?? [{ status: 200, body: 'ok' }];
      const reply = queue.length > 1 ? queue.shift()! : queue[0]!;
      res.writeHead(reply.status, reply.headers);
      res.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  received = [];
  replies = new Map();
});

const drifted: DriftReport = {
  name: 'web',
  status: 'succeeded',
  policy: 'detect',
  drifted: [
    {
      urn: 'urn:pulumi:web::site::local:File::index-html',
      type: 'local:File',
      name: 'index-html',
      op: 'update',
      changedProperties: ['content'],
      properties: [
        { path: 'content', kind: 'update', old: '<h1>Hello & welcome</h1>', new: 'hacked' },
        { path: 'token', kind: 'update', old: '[secret]', new: '[secret]', secret: true },
      ],
    },
  ],
  deleted: [],
  managedElsewhere: [],
  unchanged: 3,
  action: 'reported',
  durationMs: 10,
};
const clean: DriftReport = { ...drifted, name: 'base', drifted: [], action: 'none' };
const failed: DriftReport = {
  ...clean,
  name: 'db',
  status: 'failed',
  action: 'failed',
  error: { code: 'PROVIDER_ERROR', message: 'password hunter2 rejected' },
};
const redact = (t: string) => t.replaceAll('hunter2', '[secret]');

describe('--notify values are checked before anything runs', () => {
  it('reads bare --notify and issue as the forge issue, and slack/webhook URLs (also from the environment)', () => {
    expect(parseNotifyTargets(undefined)).toEqual([]);
    expect(parseNotifyTargets([])).toEqual([{ kind: 'issue' }]);
    expect(
      parseNotifyTargets(['issue', 'slack=https://hooks.slack.com/services/T1/B2/xyz', 'webhook=env:HOOK', 'issue'], {
        HOOK: 'http://alerts.internal:8080/drift',
      }),
    ).toEqual([
      { kind: 'issue' },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T1/B2/xyz' },
      { kind: 'webhook', url: 'http://alerts.internal:8080/drift' },
    ]);
  });

  it.each([
    ['teams=https://example.com/hook/SECRETTOKEN', '--notify teams=https://example.com/…: unknown target "teams"'],
    ['slack=ftp://hooks.slack.com/services/SECRETTOKEN', '--notify slack=ftp://hooks.slack.com/…: the URL must be http or https'],
    ['slack=not a url SECRETTOKEN', '--notify slack=…: not a valid URL'],
    ['webhook=https://user:SECRETTOKEN@example.com/x', 'credentials in the URL are not accepted'],
    ['webhook=env:NOT_SET', '--notify webhook=env:NOT_SET: the environment variable NOT_SET is not set'],
    ['slack=', '--notify slack: give the URL'],
  ])('refuses %s with exit 2, naming the value but never its token', (value, message) => {
    let err: unknown;
    try {
      parseNotifyTargets([value]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitopsError);
    expect(err).toMatchObject({ code: 'USAGE', kind: 'user' });
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('SECRETTOKEN');
  });
});

describe('gitops drift --notify', () => {
  it('exits 2 on a bad target before anything runs, naming it without the token', async () => {
    const repo = await createGitRepo(repoFiles({ web: stackFile({}) }));
    try {
      let stderr = '';
      const code = await main(
        ['drift', '--all', '--notify', 'slack=https://hooks.slack.com/services/T1/B2/SECRETTOKEN', '--notify', 'pager=x'],
        {
          cwd: repo.dir,
          env: { PATH: process.env.PATH },
          io: { stdout: () => undefined, stderr: (t) => (stderr += t) },
          signal: new AbortController().signal,
        },
      );
      expect(code).toBe(2);
      expect(stderr).toContain('--notify pager=…: unknown target "pager"');
      expect(stderr).not.toContain('SECRETTOKEN');
      // Refused before the engine: no toolchain line.
      expect(stderr).not.toContain('[toolchain]');
    } finally {
      await repo.dispose();
    }
  });
});

describe('payloads', () => {
  it('Slack: a text line and blocks, mrkdwn escaped, only stacks that need attention', () => {
    const p = driftSlackPayload([drifted, clean, failed], { time, commit: 'c'.repeat(40), pipelineUrl: 'https://ci/p/1' })!;
    expect(p.text).toBe('Pulumi GitOps drift: drift left on 1, check failed on 1 of 3 stacks: web, db');
    expect(p.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Pulumi GitOps drift: drift left on 1, check failed on 1 of 3 stacks' },
    });
    const sections = p.blocks.filter((b) => b.type === 'section').map((b) => (b.type === 'section' ? b.text.text : ''));
    expect(sections).toEqual([
      '*web*: :warning: drift found\n• `index-html` (local:File) update: content: `&lt;h1&gt;Hello &amp; welcome&lt;/h1&gt;` → `hacked`, token: `[secret]` → `[secret]`',
      '*db*: :x: check failed\n`PROVIDER_ERROR` password hunter2 rejected',
    ]);
    expect(p.blocks.at(-1)).toEqual({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `checked 2026-11-27T12:00:00.000Z · commit \`${'c'.repeat(12)}\` · <https://ci/p/1|pipeline>` }],
    });
    expect(driftSlackPayload([clean], { time })).toBeUndefined();
    expect(slackEscape('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('webhook: the drift report as data under a versioned schema, every string redacted', () => {
    const p = driftWebhookPayload([drifted, clean, failed], { time, commit: 'abc' }, redact)!;
    expect(p).toMatchObject({
      schema: DRIFT_WEBHOOK_SCHEMA,
      id: expect.stringMatching(/^drift\/2026-11-27T12:00:00.000Z\/abc\/[0-9a-f]{12}$/),
      event: 'drift',
      time: '2026-11-27T12:00:00.000Z',
      commit: 'abc',
      summary: { checked: 3, drifted: 1, remediated: 0, blocked: 0, failed: 1, clean: 1 },
    });
    expect(p.stacks[0]!.drifted[0]!.properties).toEqual([
      { path: 'content', kind: 'update', old: '<h1>Hello & welcome</h1>', new: 'hacked' },
      { path: 'token', kind: 'update', old: '[secret]', new: '[secret]', secret: true },
    ]);
    expect(p.stacks[2]!.error).toEqual({ code: 'PROVIDER_ERROR', message: 'password [secret] rejected' });
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });
});

describe('delivery with retries, against a local HTTP server', () => {
  it('retries a 503 and succeeds on the 200', async () => {
    replies.set('/hook', [
      { status: 503, body: 'busy' },
      { status: 200, body: 'ok' },
    ]);
    const retries: number[] = [];
    const r = await sendJson(`${base}/hook`, { a: 1 }, { policy: fast, onRetry: (_, d) => retries.push(d) });
    expect(r).toEqual({ ok: true, attempts: 2, status: 200 });
    expect(received.map((x) => x.body)).toEqual([{ a: 1 }, { a: 1 }]);
    expect(retries).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    replies.set('/hook', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    const retries: number[] = [];
    const r = await sendJson(`${base}/hook`, {}, { policy: fast, onRetry: (_, d) => retries.push(d) });
    expect(r).toMatchObject({ ok: true, attempts: 2 });
    expect(retries).toEqual([1000]);
  });

  it('does not retry a refusal, gives up within its bounds, and never shows the URL path', async () => {
    replies.set('/services/T1/B2/SECRETTOKEN', [{ status: 404, body: 'no_service' }]);
    const refused = await sendJson(`${base}/services/T1/B2/SECRETTOKEN`, {}, { policy: fast });
    expect(refused).toEqual({ ok: false, attempts: 1, status: 404, error: `POST to ${base} failed after 1 attempt: HTTP 404: no_service` });
    replies.set('/down/SECRETTOKEN', [{ status: 502 }]);
    const down = await sendJson(`${base}/down/SECRETTOKEN`, {}, { policy: fast });
    expect(down).toMatchObject({ ok: false, attempts: 4, status: 502 });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gone = await sendJson(`http://127.0.0.1:${port}/SECRETTOKEN`, {}, { policy: fast });
    expect(gone.ok).toBe(false);
    expect(gone.error).toContain('ECONNREFUSED');
    for (const r of [refused, down, gone]) expect(r.error).not.toContain('SECRETTOKEN');
  });

  it('sends the Slack message and the webhook document to their targets', async () => {
    replies.set('/slack', [{ status: 503 }, { status: 200, body: 'ok' }]);
    const outcomes = await notifyChannels(
      [drifted, failed],
      parseNotifyTargets([`slack=${base}/slack`, `webhook=${base}/hook`, 'issue']),
      { time, commit: 'abc' },
      redact,
      { policy: fast },
    );
    expect(outcomes).toEqual([
      { target: `slack ${base}`, sent: true, ok: true, attempts: 2 },
      { target: `webhook ${base}`, sent: true, ok: true, attempts: 1 },
    ]);
    const slack = received.filter((r) => r.path === '/slack').at(-1)!;
    expect(slack.body).toMatchObject({ text: expect.stringContaining('web, db'), blocks: expect.any(Array) });
    const hook = received.find((r) => r.path === '/hook')!;
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['idempotency-key']).toMatch(/^drift\/2026-11-27T12:00:00.000Z\/abc\/[0-9a-f]{12}$/);
    expect(hook.body).toMatchObject({ schema: DRIFT_WEBHOOK_SCHEMA, summary: { checked: 2 } });
    expect(JSON.stringify(received.map((r) => r.body))).not.toContain('hunter2');
  });

  it('tells Slack nothing when every stack is clean, but still posts the webhook', async () => {
    const outcomes = await notifyChannels([clean], parseNotifyTargets([`slack=${base}/slack`, `webhook=${base}/hook`]), { time }, redact, {
      policy: fast,
    });
    expect(outcomes.map((o) => [o.target.split(' ')[0], o.sent])).toEqual([
      ['slack', false],
      ['webhook', true],
    ]);
    expect(received.map((r) => r.path)).toEqual(['/hook']);
  });
});
