import { describe, expect, it } from 'vitest';
import type { StackResult } from '../../src/engine/result.js';
import { driftMarkdown } from '../../src/report/drift-markdown.js';
import { fitToLimit } from '../../src/report/markdown.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';

function result(name: string, n: number): StackResult {
  const resources = Array.from({ length: n }, (_, i) => ({
    urn: `urn:${name}:${i}`,
    type: 'aws:s3/bucket:Bucket',
    name: `bucket-${i}`,
    op: 'update',
    changedProperties: ['tags'],
    properties: [],
  }));
  return { name, operation: 'preview', status: 'succeeded', changes: { update: n, same: 1 }, resources, durationMs: 1 };
}

describe('Markdown reports', () => {
  const base = {
    approvals: { prod: 1 },
    commit: 'abcdef0123456789',
    base: '0123456789abcdef',
    reasons: { prod: ['stack file stacks/prod.yaml changed'] },
  };

  it('starts with a summary table, marks stacks that need approval, and has a section per stack', () => {
    const md = previewMarkdown({ ...base, results: [result('dev', 2), result('prod', 1)], limit: 65_536 });
    expect(md).toContain('| Stack | Create | Update | Replace | Delete | Status | Needs approval |');
    expect(md).toContain('| dev | 0 | 2 | 0 | 0 | ✅ ok | no |');
    expect(md).toContain('| prod | 0 | 1 | 0 | 0 | ✅ ok | 🔒 1 |');
    expect(md).toContain('<details open><summary>prod: 1 to update</summary>');
    expect(md).toContain('**Why:** stack file stacks/prod.yaml changed');
    expect(md).toContain('Commit `abcdef012345`');
    expect(md.indexOf('| Stack |')).toBeLessThan(md.indexOf('<details>'));
  });

  it('a malicious file name stays inert text: no HTML, no Markdown, nothing folded away', () => {
    const name = 'programs/app/<details><summary>x</summary>*bold*_[link](http://evil)`.json';
    const md = previewMarkdown({
      ...base,
      reasons: { prod: [`program file ${name} changed`] },
      results: [result('prod', 1)],
      limit: 65_536,
    });
    const why = md.split('\n').find((l) => l.startsWith('**Why:**'))!;
    expect(why).toBe(
      '**Why:** program file programs/app/&lt;details&gt;&lt;summary&gt;x&lt;/summary&gt;\\*bold\\*\\_\\[link\\](http://evil)\\`.json changed',
    );
    expect(md).not.toContain('<summary>x</summary>');
  });

  it('a drift issue names a blocking file inertly too', () => {
    const report = {
      name: 'prod',
      status: 'succeeded' as const,
      policy: 'remediate' as const,
      drifted: [],
      deleted: [],
      managedElsewhere: [],
      unchanged: 0,
      action: 'blocked' as const,
      blockedReason: 'remediation refused: the working tree has uncommitted or untracked files (data/<img src=x>.json)',
      durationMs: 1,
    };
    const md = driftMarkdown({ reports: [report], time: new Date('2026-12-07T00:00:00Z'), limit: 65_536 });
    expect(md).toContain('(data/&lt;img src=x&gt;.json)');
    expect(md).not.toContain('<img');
  });

  it('cuts a long report to the limit, keeping the summary, with a note', () => {
    const results = Array.from({ length: 40 }, (_, i) => result(`stack-${i}`, 50));
    const md = previewMarkdown({ ...base, results, limit: 20_000 });
    expect(md.length).toBeLessThanOrEqual(20_001);
    expect(md).toContain('| stack-39 |');
    expect(md).toMatch(/Report cut to fit the platform's 20,000-character limit:\*\* \d+ sections left out/);
    expect(previewMarkdown({ ...base, results, limit: 10_000_000 })).not.toContain('Report cut');
  });

  it('never exceeds the limit, even when the head alone is too long', () => {
    const out = fitToLimit('h'.repeat(5000), ['a', 'b'], 't', 1000);
    expect(out.length).toBeLessThanOrEqual(1000);
    expect(out).toContain('Report cut');
  });
});
