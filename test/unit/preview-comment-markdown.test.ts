import { describe, expect, it } from 'vitest';
import type { ResourceChange, StackResult } from '../../src/engine/result.js';
import { cutText } from '../../src/lib/cut-text.js';
import { type PreviewReportInput, previewMarkdown } from '../../src/report/preview-markdown.js';
import { shortType } from '../../src/report/short-type.js';
import { valueDiffLines } from '../../src/report/value-diff.js';
import { Redactor } from '../../src/secrets/redact.js';

/**
 * The merge request comment as reviewers read it (issue 13): old → new values, secrets as
 * [secret], replaces and deletes first, deleted, renamed and failed stacks each with one story,
 * what happens on merge, and downstream impact. The file snapshot is the rendered comment.
 */
const token = 'hunter2-api-token-0042';
const redactor = new Redactor();
redactor.add(token);
const redact = (t: string) => redactor.redact(t);

const file = 'pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource';
const stackUrn = (s: string) => `urn:pulumi:${s}::p::pulumi:pulumi:Stack::p-${s}`;
function res(name: string, op: string, properties: ResourceChange['properties'] = [], type = file): ResourceChange {
  return {
    urn: `urn:pulumi:s::p::${type}::${name}`,
    type,
    name,
    op,
    changedProperties: properties.map((p) => p.path.split('.')[0]!),
    properties,
  };
}
function preview(name: string, resources: ResourceChange[], extra: Partial<StackResult> = {}): StackResult {
  const changes: Record<string, number> = { same: 2 };
  for (const r of resources) changes[r.op] = (changes[r.op] ?? 0) + 1;
  return { name, operation: 'preview', status: 'succeeded', changes, resources, durationMs: 1, ...extra };
}

const oldPage = '<!doctype html>\n<title>Hello from GitOps</title>\n<h1>Hello from GitOps</h1>\n';
const newPage = '<!doctype html>\n<title>Hello from a merge request</title>\n<h1>Hello from a merge request</h1>\n';

const results: StackResult[] = [
  preview(
    'demo-base',
    [res('platform-settings', 'update', [{ path: 'content', kind: 'update', old: '{"port": 8080}', new: '{"port": 9090}' }])],
    {
      outputChanges: [
        { name: 'basePort', kind: 'update', old: '8080', new: '9090' },
        { name: 'settingsId', kind: 'unknown', old: 'abc', new: '(known after deploy)' },
      ],
    },
  ),
  preview('demo-web', [
    res('index-html', 'update', [{ path: 'content', kind: 'update', old: oldPage, new: newPage }]),
    // A secret config value that changed: the engine masks both sides.
    res('credentials', 'update', [{ path: 'content', kind: 'update', old: '[secret]', new: '[secret]', secret: true }]),
    res('server-config', 'replace', [
      { path: 'mode', kind: 'update-replace', old: '644', new: '600' },
      { path: 'content', kind: 'update', old: `{"replicas": 2, "token": "${token}"}`, new: '{"replicas": 3}' },
    ]),
    res('notes', 'update', [{ path: 'content', kind: 'update', old: 'short', new: `${'x'.repeat(1_300)}` }]),
    res('legacy', 'delete'),
    res('web', 'create', [], 'kubernetes:apps/v1:Deployment'),
  ]),
  // A new stack whose program failed: the engine counted its Stack resource as a create.
  {
    name: 'demo-prod',
    operation: 'preview',
    status: 'failed',
    changes: { create: 1 },
    resources: [res('p-demo-prod', 'create', [], 'pulumi:pulumi:Stack')],
    durationMs: 1,
    error: { code: 'PROGRAM_ERROR', message: `program failed: cannot reach https://api.example/?token=${token}` },
  },
  preview('web2', [], { changes: { same: 3 } }),
  {
    name: 'old',
    operation: 'destroy-preview',
    status: 'succeeded',
    changes: { delete: 3 },
    resources: [res('a', 'delete'), res('b', 'delete'), { ...res('p-old', 'delete', [], 'pulumi:pulumi:Stack'), urn: stackUrn('old') }],
    durationMs: 1,
  },
  {
    name: 'gone',
    operation: 'destroy-preview',
    status: 'succeeded',
    changes: { delete: 4 },
    resources: [res('c', 'delete'), res('d', 'delete'), res('e', 'delete'), res('p-gone', 'delete', [], 'pulumi:pulumi:Stack')],
    durationMs: 1,
  },
];

const input: PreviewReportInput = {
  results,
  commit: 'abcdef0123456789',
  base: '0123456789abcdef',
  pipelineUrl: 'https://gitlab.example/p/-/pipelines/9',
  approvals: { 'demo-prod': 1 },
  reasons: { 'demo-web': ['stack file stacks/demo-web.yaml changed'], 'demo-base': ['program programs/local-base changed'] },
  renames: { web2: 'stacks/web.yaml' },
  destroys: [
    { name: 'old', allowed: true, resources: 2, file: 'stacks/old.yaml' },
    { name: 'gone', allowed: false, resources: 3, file: 'stacks/gone.yaml' },
  ],
  onMerge: {
    steps: [
      [
        { name: 'demo-base', after: [], approvals: 0 },
        { name: 'web2', after: [], approvals: 0 },
      ],
      [
        { name: 'demo-prod', after: ['demo-base'], approvals: 1 },
        { name: 'demo-web', after: ['demo-base'], approvals: 0 },
      ],
    ],
    destroys: [
      { name: 'old', allowed: true, approvals: 0 },
      { name: 'gone', allowed: false, approvals: 0 },
    ],
  },
  downstream: [
    {
      stack: 'demo-base',
      outputs: results[0]!.outputChanges!,
      readers: [
        { name: 'demo-prod', via: 'stack-reference' },
        { name: 'demo-web', via: 'depends-on' },
      ],
    },
  ],
  redact,
  limit: 65_536,
};

describe('the preview comment', () => {
  const md = redact(previewMarkdown(input));

  it('renders as the snapshot', async () => {
    await expect(md).toMatchFileSnapshot('./__snapshots__/preview-comment.md');
  });

  it('shows old → new values, with multi-line values as a diff', () => {
    expect(md).toContain('| ✏️ update | `platform-settings` demo LocalFile | `content` | `{"port": 8080}` | `{"port": 9090}` |');
    expect(md).toContain('-<title>Hello from GitOps</title>\n-<h1>Hello from GitOps</h1>\n+<title>Hello from a merge request</title>');
    expect(md).toContain('| `mode` ♻️ | `644` | `600` |');
  });

  it('never shows a secret: masked values stay [secret], known plaintext is redacted before a value is cut', () => {
    expect(md).toContain('| ✏️ update | `credentials` demo LocalFile | `content` | `[secret]` | `[secret]` |');
    expect(md).not.toContain(token);
    // Not even a part of it, as a cut through the plaintext would leave.
    expect(md).not.toContain('hunter2');
    expect(md).toContain('token=[secret]');
  });

  it('shows a value too long for a cell whole, as a diff below the table', () => {
    expect(md).toContain(`\n+${'x'.repeat(1300)}\n`);
  });

  it('puts destroys, failures and replaces first, loudly', () => {
    const summary = md.slice(md.indexOf('| Stack |'), md.indexOf('\n\n', md.indexOf('| Stack |')));
    const rows = summary.split('\n').slice(2);
    expect(rows.map((l) => l.split(' | ')[0])).toEqual([
      '| 💥 **old**',
      '| demo-prod',
      '| demo-web',
      '| demo-base',
      '| web2 (renamed from `stacks/web.yaml`, no destroy)',
      '| gone',
    ]);
    expect(md.indexOf('**⚠️ Replaces and deletes**')).toBeLessThan(md.indexOf('| Stack |'));
    expect(md).toContain('- **demo-web**: replaces `server-config`; deletes `legacy`');
    expect(md).toContain('- ♻️ **replace** `server-config` demo LocalFile: `mode` changed, which the provider cannot update in place');
  });

  it('leaves the Stack resource out and invents no counts for a failed stack', () => {
    expect(md).toContain('| demo-prod | — | — | — | — | ❌ failed | 🔒 1 |');
    expect(md).not.toContain('p-demo-prod');
    expect(md).toContain('**Error** (`PROGRAM_ERROR`):');
    expect(md).toContain('| ➕ create | `web` apps/v1 Deployment | — |  |  |');
  });

  it('tells one story for deleted and renamed stacks', () => {
    expect(md).toContain('| 💥 **old** | — | — | — | **2** | 💥 **destroyed on merge**, with its 2 resources | no |');
    expect(md).toContain('| gone | — | — | — | — | left alone: its last definition did not set `allowDestroy` | no |');
    expect(md).toContain('The deploy **leaves the stack and its 3 resources alone**');
    expect(md).not.toMatch(/gone[^\n]*\| 4 \|/);
    expect(md).toContain('| web2 (renamed from `stacks/web.yaml`, no destroy) | 0 | 0 | 0 | 0 | ✅ ok | no |');
    expect(md).toContain('### Pulumi preview: 6 stacks, 3 with changes');
  });

  it('says what happens on merge, in order, and who reads changed outputs', () => {
    const onMerge = md.slice(md.indexOf('**On merge**'), md.indexOf('**Downstream impact**'));
    expect(onMerge).toContain('1. In parallel:\n   - `demo-base`: 1 to update\n   - `web2`: no changes');
    expect(onMerge).toContain(
      '   - `demo-prod`: 🔒 waits for 1 approval · ❌ its preview failed (see its section) · will see new outputs of `demo-base`',
    );
    expect(onMerge).toContain('3. 💥 **destroys** `old` with its 2 resources');
    expect(onMerge).toContain('Left alone: `gone`');
    expect(md).toContain('- `demo-base` changes `basePort` (`8080` → `9090`), `settingsId` (known after deploy).');
    expect(md).toContain('Read by `demo-prod` (StackReference), `demo-web` (`dependsOn`): they **will see the new outputs after deploy**');
  });
});

describe('comment helpers', () => {
  it('shortType drops the package, index modules and names repeated by their module', () => {
    expect(shortType('kubernetes:apps/v1:Deployment')).toBe('apps/v1 Deployment');
    expect(shortType('aws:s3/bucket:Bucket')).toBe('s3 Bucket');
    expect(shortType('random:index/randomPassword:RandomPassword')).toBe('RandomPassword');
    expect(shortType('pulumi-nodejs:dynamic/gitops:demo:LocalFile:Resource')).toBe('demo LocalFile');
    expect(shortType('pulumi:providers:kubernetes')).toBe('kubernetes provider');
  });

  it('cutText counts what an earlier cut left out', () => {
    expect(cutText('abcdef', 10)).toBe('abcdef');
    expect(cutText('abcdef', 2)).toBe('ab… 4 more characters');
    expect(cutText('abcdef… 1,000 more characters', 2)).toBe('ab… 1,004 more characters');
  });

  it('valueDiffLines shows a hunk with three lines of context around a change', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n';
    expect(valueDiffLines(before, after)).toEqual(['@@ -2,7 +2,7 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h']);
  });
});
