import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { diffPaths, EventCollector } from '../../src/engine/event-collector.js';
import type { ProgressEvent } from '../../src/engine/progress.js';

const urn = (name: string) => `urn:pulumi:dev::proj::pkg:mod:File::${name}`;
const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: '[secret]' };

function step(kind: 'resourcePreEvent' | 'resOutputsEvent', meta: Record<string, unknown>): EngineEvent {
  return { sequence: 1, timestamp: 0, [kind]: { metadata: { provider: '', type: 'pkg:mod:File', ...meta } } } as unknown as EngineEvent;
}

describe('EventCollector', () => {
  it('folds the steps of a replacement into one replace entry with its properties', () => {
    const events: ProgressEvent[] = [];
    const c = new EventCollector('web', (e) => events.push(e), false);
    const meta = { urn: urn('a'), old: { inputs: { mode: '600' } }, new: { inputs: { mode: '644' } } };
    c.handle(step('resourcePreEvent', { ...meta, op: 'replace', diffs: ['mode'], detailedDiff: { mode: { diffKind: 'update-replace', inputDiff: true } } }));
    c.handle(step('resourcePreEvent', { ...meta, op: 'create-replacement' }));
    c.handle(step('resourcePreEvent', { ...meta, op: 'delete-replaced' }));
    expect(c.resourceList()).toEqual([expect.objectContaining({ name: 'a', op: 'replace', changedProperties: ['mode'], properties: [{ path: 'mode', kind: 'update-replace', old: '600', new: '644' }] })]);
    expect(events.filter((e) => e.type === 'resource-start')).toHaveLength(3);
  });

  it('computes changed properties when the provider reports none', () => {
    const c = new EventCollector('web', () => undefined, false);
    c.handle(step('resourcePreEvent', { urn: urn('b'), op: 'update', old: { inputs: { content: 'x', path: '/p' } }, new: { inputs: { content: 'y', path: '/p' } } }));
    expect(c.resourceList()[0]).toMatchObject({ changedProperties: ['content'], properties: [{ path: 'content', old: 'x', new: 'y' }] });
  });

  it('reads drift from a refresh: state outputs against live outputs, secrets masked', () => {
    const c = new EventCollector('web', () => undefined, true);
    c.handle(step('resOutputsEvent', { urn: urn('c'), op: 'update', old: { outputs: { token: secret, size: 1, __provider: 'x' } }, new: { outputs: { token: { ...secret, ciphertext: '[secret]', changed: true }, size: 2, __provider: 'y' } } }));
    const r = c.resourceList()[0]!;
    expect(r.changedProperties).toEqual(['size', 'token']);
    expect(r.properties.find((p) => p.path === 'token')).toMatchObject({ old: '[secret]', new: '[secret]' });
  });

  it('keeps the engine summary and classifies errors by resource', () => {
    const c = new EventCollector('web', () => undefined, false);
    c.handle({ sequence: 1, timestamp: 0, summaryEvent: { resourceChanges: { create: 2, same: 1 } } } as unknown as EngineEvent);
    c.handle({ sequence: 2, timestamp: 0, diagnosticEvent: { urn: urn('d'), message: 'boom', severity: 'error', color: 'never' } } as unknown as EngineEvent);
    expect(c.summary).toEqual({ create: 2, same: 1 });
    expect(c.errors).toEqual([{ urn: urn('d'), message: 'boom' }]);
  });

  it('diffPaths finds nested differences and ignores the provider blob', () => {
    expect(diffPaths({ a: { b: 1, c: 2 }, __provider: 'x' }, { a: { b: 1, c: 3 }, __provider: 'y', d: true })).toEqual(['a.c', 'd']);
  });
});

describe('drift noise', () => {
  it('reports only declared properties, item by item in lists', () => {
    const c = new EventCollector('k8s', () => undefined, true);
    const declared = { spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } };
    const old = { ...declared, metadata: { resourceVersion: '10', generation: 1 }, status: { replicas: 0 } };
    const live = { spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:evil' }] } } }, metadata: { resourceVersion: '17', generation: 3 }, status: { replicas: 5 } };
    c.handle(step('resOutputsEvent', { urn: urn('dep'), op: 'update', old: { inputs: declared, outputs: old }, new: { outputs: live } }));
    expect(c.resourceList()[0]!.properties).toEqual([
      { path: 'spec.replicas', kind: 'update', old: '2', new: '5' },
      { path: 'spec.template.spec.containers[0].image', kind: 'update', old: 'nginx:1.27', new: 'nginx:evil' },
    ]);
  });

  it('a refresh that moved only live-only fields has no drifted properties', () => {
    const c = new EventCollector('k8s', () => undefined, true);
    c.handle(step('resOutputsEvent', { urn: urn('dep'), op: 'update', old: { inputs: { spec: { replicas: 2 } }, outputs: { spec: { replicas: 2 }, status: { ready: 0 } } }, new: { outputs: { spec: { replicas: 2 }, status: { ready: 2 } } } }));
    expect(c.resourceList()[0]!.properties).toEqual([]);
  });
});
