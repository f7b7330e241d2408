import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { EventCollector } from '../../src/engine/event-collector.js';
import type { StackResult } from '../../src/engine/result.js';
import { consoleDiff } from '../../src/report/console-diff.js';
import { operationJson } from '../../src/report/json-report.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';
import { Redactor } from '../../src/secrets/redact.js';

const urn = (name: string) => `urn:pulumi:dev::proj::pkg:mod:File::${name}`;
const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'x' };

function step(meta: Record<string, unknown>): EngineEvent {
  return {
    sequence: 1,
    timestamp: 0,
    resourcePreEvent: { metadata: { provider: '', type: 'pkg:mod:File', ...meta } },
  } as unknown as EngineEvent;
}

/** A preview with a created resource (a secret among its inputs, a known secret inside a multi-line one) and an update. */
function previewResult(): StackResult {
  const redactor = new Redactor();
  redactor.add('pa55-word-42');
  const redact = redactor.redact.bind(redactor);
  const c = new EventCollector('web', () => undefined, false, Date.now, redact);
  c.handle(
    step({
      urn: urn('site'),
      op: 'create',
      new: { inputs: { path: '/srv/site.conf', content: 'listen 80\npassword pa55-word-42\n', token: secret, __provider: 'fn' } },
    }),
  );
  c.handle(step({ urn: urn('conf'), op: 'update', old: { inputs: { content: 'a\nb\nc\n' } }, new: { inputs: { content: 'a\nB\nc\n' } } }));
  return {
    name: 'web',
    operation: 'preview',
    status: 'succeeded',
    changes: { create: 1, update: 1 },
    resources: c.resourceList(),
    durationMs: 1,
  };
}

describe('what a preview shows of new resources and changed values', () => {
  const result = previewResult();

  it('collects the inputs of a created resource as stable pretty JSON, secrets and known plaintext redacted', () => {
    const site = result.resources.find((r) => r.name === 'site')!;
    expect(site.inputs).toBe(
      ['{', '  "content": "listen 80\\npassword [secret]\\n",', '  "path": "/srv/site.conf",', '  "token": "[secret]"', '}'].join('\n'),
    );
    // An update has no inputs block: its properties say what changes.
    expect(result.resources.find((r) => r.name === 'conf')!.inputs).toBeUndefined();
  });

  it('shows the inputs in the comment folded away, and the update as a diff', () => {
    const md = previewMarkdown({ results: [result], approvals: {}, limit: 65_536 });
    expect(md).toContain('| ➕ create | `site` mod File | ↓ inputs below |');
    expect(md).toContain('<details><summary>Inputs of `site` (new)</summary>\n\n```json\n{\n  "content"');
    expect(md).toContain('```diff\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n```');
    expect(md).not.toContain('pa55-word-42');
  });

  it('prints the same diffs and inputs on the console for preview --diff', () => {
    const text = consoleDiff([result]);
    expect(text).toContain('  create site (pkg:mod:File):\n    inputs:\n      {\n        "content": "listen 80\\npassword [secret]\\n",');
    expect(text).toContain(
      '  update conf (pkg:mod:File):\n    content:\n      --- old\n      +++ new\n      @@ -1,3 +1,3 @@\n       a\n      -b\n      +B\n       c',
    );
    expect(text).not.toContain('pa55-word-42');
    expect(consoleDiff([{ ...result, resources: [] }])).toBe('');
  });

  it('carries old and new values, inputs and a schema version in --json', () => {
    const doc = JSON.parse(operationJson('preview', [result]));
    expect(doc.schemaVersion).toBe(2);
    const [site, conf] = doc.stacks[0].resources;
    expect(site.inputs).toContain('"token": "[secret]"');
    expect(conf.properties).toEqual([{ path: 'content', kind: 'update', old: 'a\nb\nc\n', new: 'a\nB\nc\n' }]);
    expect(JSON.stringify(doc)).not.toContain('pa55-word-42');
  });
});
