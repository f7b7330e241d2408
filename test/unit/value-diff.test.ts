import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../src/api/drift-report.js';
import { renderValue } from '../../src/engine/event-collector.js';
import type { ResourceChange } from '../../src/engine/result.js';
import { driftMarkdown } from '../../src/report/drift-markdown.js';
import { driftJson, driftSummary } from '../../src/report/drift-report.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';
import { valueDiffLines } from '../../src/report/value-diff.js';
import { Redactor } from '../../src/secrets/redact.js';

const lines = (n: number, edit: Record<number, string> = {}) =>
  Array.from({ length: n }, (_, i) => edit[i + 1] ?? `line ${i + 1}`).join('\n');

function fileResource(name: string, old: string, next: string): ResourceChange {
  return {
    urn: `urn:pulumi:prod::demo::demo:LocalFile::${name}`,
    type: 'pulumi-nodejs:dynamic:Resource',
    name,
    op: 'update',
    changedProperties: ['content'],
    properties: [{ path: 'content', kind: 'update', old, new: next }],
  };
}

function driftOf(resources: ResourceChange[], name = 'web'): DriftReport {
  return {
    name,
    status: 'succeeded',
    policy: 'detect',
    drifted: resources,
    deleted: [],
    managedElsewhere: [],
    unchanged: 1,
    action: 'reported',
    durationMs: 5,
  };
}

describe('value diffs', () => {
  it('shows two edits far apart in a 200-line value as two hunks, each with its context only', () => {
    const diff = valueDiffLines(lines(200), lines(200, { 10: 'changed ten', 190: 'changed one ninety' }));
    expect(diff.filter((l) => l.startsWith('@@'))).toEqual(['@@ -7,7 +7,7 @@', '@@ -187,7 +187,7 @@']);
    expect(diff.filter((l) => l.startsWith('-'))).toEqual(['-line 10', '-line 190']);
    expect(diff.filter((l) => l.startsWith('+'))).toEqual(['+changed ten', '+changed one ninety']);
    // Lines far from both edits are not shown at all.
    expect(diff).not.toContain(' line 100');
    expect(diff).toHaveLength(2 + 2 * 8);
  });

  it('shows a change deep inside a nested Kubernetes spec as one changed line', () => {
    const spec = (image: string) => ({
      spec: {
        template: {
          spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }], env: [{ name: 'MODE', value: 'prod' }] }] },
          metadata: { labels: { app: 'web' } },
        },
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
      },
    });
    // Keys in another order read the same: the rendering is stable.
    const reordered = { spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: spec('nginx:1.27').spec.template } };
    expect(renderValue(reordered)).toBe(renderValue(spec('nginx:1.27')));
    const diff = valueDiffLines(renderValue(spec('nginx:1.27')), renderValue(spec('nginx:1.28')));
    expect(diff.filter((l) => /^[-+]/.test(l))).toEqual(['-            "image": "nginx:1.27",', '+            "image": "nginx:1.28",']);
  });

  it('keeps a 100 KB value whole below the limit, and collapses it first at the limit, saying where the full text is', () => {
    const big = lines(10_000).slice(0, 100_000);
    const small = fileResource('small', 'a\nb\nc', 'a\nB\nc');
    // A line appended to a 100 KB value is a small diff: it fits, in full.
    const appended = driftMarkdown({
      reports: [driftOf([fileResource('huge', big, `${big}\nappended`)])],
      time: new Date(0),
      limit: 65_536,
    });
    expect(appended).toContain('+appended');
    expect(appended).not.toContain('collapsed');
    // A 100 KB value replaced whole is a 100 KB diff.
    const report = driftOf([fileResource('huge', 'x', big), small]);
    const roomy = driftMarkdown({ reports: [report], time: new Date(0), limit: 1_000_000 });
    expect(roomy).toContain('+line 9999');
    expect(roomy).not.toContain('collapsed');
    const tight = driftMarkdown({ reports: [report], time: new Date(0), limit: 65_536 });
    expect(tight.length).toBeLessThanOrEqual(65_536 + 1);
    expect(tight).toContain('value collapsed to fit the 65,536-character limit: the job log and the `--json` report have it in full');
    // The smaller value is still there whole, and the stack's section is not dropped.
    expect(tight).toContain('-b\n+B');
    expect(tight).not.toContain('section left out');
    // The preview comment collapses the same way.
    const preview = previewMarkdown({
      results: [
        {
          name: 'web',
          operation: 'preview',
          status: 'succeeded',
          changes: { update: 2 },
          resources: [fileResource('huge', 'x', big), small],
          durationMs: 1,
        },
      ],
      approvals: {},
      limit: 65_536,
    });
    expect(preview.length).toBeLessThanOrEqual(65_536 + 1);
    expect(preview).toContain('value collapsed to fit');
    expect(preview).toContain('-b\n+B');
  });

  it('redacts a secret inside a multi-line value in the drift report, the issue body, the console and the JSON', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-p4ssw0rd');
    const redact = (t: string) => redactor.redact(t);
    const old = renderValue('user=app\npassword=s3cr3t-p4ssw0rd\nhost=db', redact)!;
    const live = renderValue('user=app\npassword=s3cr3t-p4ssw0rd\nhost=db2\n', redact)!;
    const report = driftOf([fileResource('config', old, live)]);
    const outputs = [driftMarkdown({ reports: [report], time: new Date(0), limit: 65_536 }), driftSummary([report]), driftJson([report])];
    for (const out of outputs) {
      expect(out).not.toContain('s3cr3t');
      expect(out).toContain('host=db2');
    }
    expect(outputs[0]).toContain(' password=[secret]\n-host=db\n+host=db2');
    expect(outputs[1]).toContain('           password=[secret]\n          -host=db\n          +host=db2');
  });
});

describe('links to the CI job', () => {
  it('the drift report and the preview comment link the pipeline and the job that produced them', () => {
    const links = { pipelineUrl: 'https://ci.example/p/1', jobUrl: 'https://ci.example/j/7' };
    const drift = driftMarkdown({ reports: [driftOf([])], time: new Date(0), limit: 65_536, ...links });
    expect(drift).toContain('[pipeline](https://ci.example/p/1) · [CI job](https://ci.example/j/7)');
    const preview = previewMarkdown({ results: [], approvals: {}, limit: 65_536, ...links });
    expect(preview).toContain('[pipeline](https://ci.example/p/1) · [CI job](https://ci.example/j/7)');
  });
});
