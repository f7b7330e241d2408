import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { EventCollector, outputChanges } from '../../src/engine/event-collector.js';
import { Redactor } from '../../src/secrets/redact.js';

/** What a preview's events tell about values (issue 13): old → new, secrets, replaces, stack outputs. */
const urn = (name: string) => `urn:pulumi:dev::proj::pkg:mod:File::${name}`;
const stackUrn = 'urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev';
const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: '[secret]' };
const unknown = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';

function step(kind: 'resourcePreEvent' | 'resOutputsEvent', meta: Record<string, unknown>): EngineEvent {
  return { sequence: 1, timestamp: 0, [kind]: { metadata: { provider: '', type: 'pkg:mod:File', ...meta } } } as unknown as EngineEvent;
}

describe('preview values', () => {
  it('names a changed secret property, without its value, when the masked values compare equal', () => {
    const c = new EventCollector('web', () => undefined, false);
    const inputs = { content: secret, path: '/p' };
    c.handle(step('resourcePreEvent', { urn: urn('creds'), op: 'update', old: { inputs }, new: { inputs } }));
    expect(c.resourceList()[0]).toMatchObject({
      changedProperties: ['content'],
      properties: [{ path: 'content', kind: 'update', old: '[secret]', new: '[secret]', secret: true }],
    });
  });

  it('marks the properties that force a replacement, from the step keys when there is no detailed diff', () => {
    const c = new EventCollector('web', () => undefined, false);
    c.handle(
      step('resourcePreEvent', {
        urn: urn('m'),
        op: 'replace',
        keys: ['mode'],
        old: { inputs: { mode: '644', content: 'a' } },
        new: { inputs: { mode: '600', content: 'b' } },
      }),
    );
    expect(c.resourceList()[0]!.properties).toEqual([
      { path: 'content', kind: 'update', old: 'a', new: 'b' },
      { path: 'mode', kind: 'update-replace', old: '644', new: '600' },
    ]);
  });

  it('redacts a value before cutting it, so no part of a secret survives the cut', () => {
    const redactor = new Redactor();
    redactor.add('correct-horse-battery-staple');
    const c = new EventCollector(
      'web',
      () => undefined,
      false,
      Date.now,
      (t) => redactor.redact(t),
    );
    const long = `${'a'.repeat(999_990)}correct-horse-battery-staple${'b'.repeat(500)}`;
    c.handle(
      step('resourcePreEvent', { urn: urn('f'), op: 'update', old: { inputs: { content: 'x' } }, new: { inputs: { content: long } } }),
    );
    const value = c.resourceList()[0]!.properties[0]!.new!;
    expect(value).not.toContain('correct');
    expect(value).toMatch(/^a{999990}\[secret\]b{2}… 498 more characters$/);
  });

  it('reads the stack outputs from the last outputs event of the Stack resource', () => {
    const c = new EventCollector('base', () => undefined, false);
    const old = { port: 8080, host: 'localhost', token: secret, id: 'abc' };
    c.handle(
      step('resOutputsEvent', { urn: stackUrn, type: 'pulumi:pulumi:Stack', op: 'same', old: { outputs: old }, new: { outputs: old } }),
    );
    c.handle(
      step('resOutputsEvent', {
        urn: stackUrn,
        type: 'pulumi:pulumi:Stack',
        op: 'same',
        old: { outputs: old },
        new: { outputs: { port: 9090, host: 'localhost', token: secret, id: unknown, url: 'http://x' } },
      }),
    );
    expect(c.outputChangeList()).toEqual([
      { name: 'id', kind: 'unknown', old: 'abc', new: '(known after deploy)' },
      { name: 'port', kind: 'update', old: '8080', new: '9090' },
      { name: 'url', kind: 'add', new: 'http://x' },
    ]);
    // The Stack resource is bookkeeping: it is not a resource change.
    expect(c.resourceList()).toEqual([]);
  });

  it('outputChanges finds removed outputs, unknowns nested in objects, and secrets', () => {
    expect(outputChanges({ gone: 1, cfg: { a: 1 }, s: 'plain' }, { cfg: { a: unknown }, s: secret })).toEqual([
      { name: 'cfg', kind: 'unknown', old: '{\n  "a": 1\n}', new: '(known after deploy)' },
      { name: 'gone', kind: 'delete', old: '1' },
      { name: 's', kind: 'update', old: 'plain', new: '[secret]', secret: true },
    ]);
  });
});
