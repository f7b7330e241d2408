import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { drift, planDrift } from '../../src/drift/drift-run.js';
import { parseNotifyTargets } from '../../src/drift/notify-targets.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * The drift action with Slack and webhook targets: GIVEN a drifted stack and a receiver on a
 * real local HTTP server, WHEN drift runs, THEN each target gets its payload (retried through a
 * 503), redacted, and the operator hears what happened without ever seeing a URL's path.
 */
let server: http.Server;
let base: string;
let received: { path: string; body: Record<string, unknown> }[];
let statuses: Map<string, number[]>;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => {
      text += String(c);
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, body: JSON.parse(text) as Record<string, unknown> });
      const queue = statuses.get(path) ?? [200];
      res.writeHead(queue.length > 1 ? queue.shift()! : queue[0]!);
      res.end();
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
  statuses = new Map();
});

let repo: GitRepo;
afterEach(async () => repo?.dispose());

async function runDrift(targets: string[]) {
  repo = await createGitRepo(repoFiles({ web: stackFile({ policy: 'detect' }), api: stackFile({ policy: 'detect' }) }));
  const t = await testContext(repo.dir);
  t.ctx.redact = (text) => text.replaceAll('hunter2', '[secret]');
  t.engine.script('web', 'refresh-preview', {
    resources: [
      {
        urn: 'urn:pulumi:s::app::pkg:File::page',
        type: 'pkg:File',
        name: 'page',
        op: 'update',
        changedProperties: ['content'],
        properties: [{ path: 'content', kind: 'update', old: 'git', new: 'password hunter2' }],
      },
    ],
    changes: { update: 1 },
  });
  const request = { selection: { all: true }, allowDestroy: false, notify: false, channels: parseNotifyTargets(targets) };
  const run = await drift(t.ctx, planDrift(t.ctx.catalog, request), request);
  return { ...t, run };
}

describe('drift action: Slack and webhook notifications', () => {
  it('posts the Slack message (through a 503) and the webhook document, redacted', async () => {
    statuses.set('/slack/T1/B2/TOKEN', [503, 200]);
    const { run, lines } = await runDrift([`slack=${base}/slack/T1/B2/TOKEN`, `webhook=${base}/hook`]);
    expect(run.channels).toEqual([
      { target: `slack ${base}`, sent: true, ok: true, attempts: 2 },
      { target: `webhook ${base}`, sent: true, ok: true, attempts: 1 },
    ]);
    const slack = received.filter((r) => r.path === '/slack/T1/B2/TOKEN');
    expect(slack).toHaveLength(2);
    expect(slack[1]!.body.text).toBe('Pulumi GitOps drift: drift left on 1 of 2 stacks: web');
    const hook = received.find((r) => r.path === '/hook')!.body;
    expect(hook).toMatchObject({ schema: 'pulumi-gitops/drift@1', summary: { checked: 2, drifted: 1, clean: 1 } });
    expect(JSON.stringify(received)).not.toContain('hunter2');
    expect(lines()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^notify slack ${base}: retrying in \\d+\\.\\ds$`)),
        `notify slack ${base}: sent`,
        `notify webhook ${base}: sent`,
      ]),
    );
    expect(lines().join('\n')).not.toContain('TOKEN');
  });

  it('a target that refuses is reported as failed, and the others are still sent', async () => {
    statuses.set('/gone/TOKEN', [404]);
    const { run, lines } = await runDrift([`webhook=${base}/gone/TOKEN`, `slack=${base}/slack`]);
    expect(run.channels.map((c) => [c.target, c.ok])).toEqual([
      [`webhook ${base}`, false],
      [`slack ${base}`, true],
    ]);
    expect(lines()).toContain(`error: notify webhook ${base}: POST to ${base} failed after 1 attempt: HTTP 404`);
    expect(lines().join('\n')).not.toContain('TOKEN');
  });
});
