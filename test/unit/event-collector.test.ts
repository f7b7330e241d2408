import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { diffPaths, EventCollector } from '../../src/engine/event-collector.js';
import { deploymentSecrets } from '../../src/engine/learn-secrets.js';
import type { ProgressEvent } from '../../src/engine/progress.js';
import { compareSecrets } from '../../src/engine/secret-drift.js';

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
    c.handle(
      step('resourcePreEvent', {
        ...meta,
        op: 'replace',
        diffs: ['mode'],
        detailedDiff: { mode: { diffKind: 'update-replace', inputDiff: true } },
      }),
    );
    c.handle(step('resourcePreEvent', { ...meta, op: 'create-replacement' }));
    c.handle(step('resourcePreEvent', { ...meta, op: 'delete-replaced' }));
    expect(c.resourceList()).toEqual([
      expect.objectContaining({
        name: 'a',
        op: 'replace',
        changedProperties: ['mode'],
        properties: [{ path: 'mode', kind: 'update-replace', old: '600', new: '644' }],
      }),
    ]);
    expect(events.filter((e) => e.type === 'resource-start')).toHaveLength(3);
  });

  it('computes changed properties when the provider reports none', () => {
    const c = new EventCollector('web', () => undefined, false);
    c.handle(
      step('resourcePreEvent', {
        urn: urn('b'),
        op: 'update',
        old: { inputs: { content: 'x', path: '/p' } },
        new: { inputs: { content: 'y', path: '/p' } },
      }),
    );
    expect(c.resourceList()[0]).toMatchObject({ changedProperties: ['content'], properties: [{ path: 'content', old: 'x', new: 'y' }] });
  });

  it('reads drift from a refresh: state outputs against live outputs, secrets masked', () => {
    const c = new EventCollector('web', () => undefined, true);
    c.handle(
      step('resOutputsEvent', {
        urn: urn('c'),
        op: 'update',
        old: { outputs: { token: secret, size: 1, __provider: 'x' } },
        new: { outputs: { token: { ...secret, ciphertext: '[secret]', changed: true }, size: 2, __provider: 'y' } },
      }),
    );
    const r = c.resourceList()[0]!;
    expect(r.changedProperties).toEqual(['size', 'token']);
    expect(r.properties.find((p) => p.path === 'token')).toMatchObject({ old: '[secret]', new: '[secret]', secret: true });
    expect(r.properties.find((p) => p.path === 'size')).not.toHaveProperty('secret');
  });

  it('keeps the engine summary and classifies errors by resource', () => {
    const c = new EventCollector('web', () => undefined, false);
    c.handle({ sequence: 1, timestamp: 0, summaryEvent: { resourceChanges: { create: 2, same: 1 } } } as unknown as EngineEvent);
    c.handle({
      sequence: 2,
      timestamp: 0,
      diagnosticEvent: { urn: urn('d'), message: 'boom', severity: 'error', color: 'never' },
    } as unknown as EngineEvent);
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
    const live = {
      spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:evil' }] } } },
      metadata: { resourceVersion: '17', generation: 3 },
      status: { replicas: 5 },
    };
    c.handle(step('resOutputsEvent', { urn: urn('dep'), op: 'update', old: { inputs: declared, outputs: old }, new: { outputs: live } }));
    expect(c.resourceList()[0]!.properties).toEqual([
      { path: 'spec.replicas', kind: 'update', old: '2', new: '5' },
      { path: 'spec.template.spec.containers[0].image', kind: 'update', old: 'nginx:1.27', new: 'nginx:evil' },
    ]);
  });

  it('a refresh that moved only live-only fields has no drifted properties', () => {
    const c = new EventCollector('k8s', () => undefined, true);
    c.handle(
      step('resOutputsEvent', {
        urn: urn('dep'),
        op: 'update',
        old: { inputs: { spec: { replicas: 2 } }, outputs: { spec: { replicas: 2 }, status: { ready: 0 } } },
        new: { outputs: { spec: { replicas: 2 }, status: { ready: 2 } } },
      }),
    );
    expect(c.resourceList()[0]!.properties).toEqual([]);
  });
});

/** A secret as an export made with --show-secrets holds it: the value's JSON in `plaintext`. */
const shown = (value: unknown) => ({
  '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270',
  plaintext: JSON.stringify(value),
});
const deployment = (resources: { urn: string; inputs?: unknown; outputs?: unknown }[]) => ({ version: 3, deployment: { resources } });

describe('drift in secret values', () => {
  it('a refreshed resource holding secrets that changed is a suspect: its masked values cannot be compared', () => {
    const c = new EventCollector('web', () => undefined, true);
    const masked = { old: { inputs: { content: secret }, outputs: { content: secret } }, new: { outputs: { content: secret } } };
    c.handle(step('resOutputsEvent', { urn: urn('creds'), op: 'update', ...masked }));
    c.handle(
      step('resOutputsEvent', {
        urn: urn('plain'),
        op: 'update',
        old: { inputs: { a: 1 }, outputs: { a: 1 } },
        new: { outputs: { a: 2 } },
      }),
    );
    c.handle(step('resOutputsEvent', { urn: urn('same'), op: 'same', ...masked }));
    expect([...c.secretSuspects]).toEqual([urn('creds')]);
    // Masked values compare equal: nothing is reported until the values are compared in memory.
    expect(c.resources.get(urn('creds'))!.properties).toEqual([]);
    c.addSecretChanges([
      { urn: urn('creds'), change: { path: 'content', kind: 'update', old: '[secret]', new: '[secret]', secret: true } },
    ]);
    expect(c.resources.get(urn('creds'))).toMatchObject({
      op: 'update',
      changedProperties: ['content'],
      properties: [{ path: 'content', old: '[secret]', new: '[secret]', secret: true }],
    });
  });

  it('compareSecrets finds declared secret properties whose plaintext changed, and keeps the plaintext out of the change', () => {
    const before = deployment([
      {
        urn: urn('creds'),
        inputs: { content: shown('API_TOKEN=abc123') },
        outputs: { content: shown('API_TOKEN=abc123'), nested: { key: shown('k1') }, status: shown('s1') },
      },
      { urn: urn('other'), inputs: { content: shown('same-value') }, outputs: { content: shown('same-value') } },
    ]);
    const after = deployment([
      { urn: urn('creds'), outputs: { content: shown('API_TOKEN=edited'), nested: { key: shown('k1') }, status: shown('s2') } },
      { urn: urn('other'), outputs: { content: shown('same-value') } },
    ]);
    const changes = compareSecrets(before as never, after as never);
    // status is live-only (not among the inputs), nested.key is unchanged.
    expect(changes).toEqual([
      {
        urn: urn('creds'),
        change: { path: 'content', kind: 'update', old: '[secret]', new: '[secret]', secret: true },
        plaintexts: ['API_TOKEN=abc123', 'API_TOKEN=edited'],
      },
    ]);
    expect(JSON.stringify(changes.map((c) => c.change))).not.toContain('abc123');
    expect(compareSecrets(before as never, after as never, new Set([urn('other')]))).toEqual([]);
  });

  it('deploymentSecrets learns every secret in a state export: resource properties and stack outputs, at any depth', () => {
    const d = deployment([
      { urn: 'urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev', outputs: { token: shown('output-secret'), plain: 'not-secret' } },
      {
        urn: urn('db'),
        inputs: { conn: { password: shown('pw-1234'), host: 'db' } },
        outputs: { list: [shown({ key: 'nested-key', port: 5432 })] },
      },
    ]);
    expect(deploymentSecrets(d as never).sort()).toEqual(['5432', 'nested-key', 'output-secret', 'pw-1234']);
  });
});
