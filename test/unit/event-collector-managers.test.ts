import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { describe, expect, it } from 'vitest';
import { EventCollector } from '../../src/engine/event-collector.js';

const urn = 'urn:pulumi:dev::app::kubernetes:apps/v1:Deployment::deployment';
function step(kind: 'resourcePreEvent' | 'resOutputsEvent', meta: Record<string, unknown>): EngineEvent {
  return {
    sequence: 1,
    timestamp: 0,
    [kind]: { metadata: { provider: '', type: 'kubernetes:apps/v1:Deployment', urn, ...meta } },
  } as unknown as EngineEvent;
}

const spec = (replicas: number, image: string) => ({ replicas, template: { spec: { containers: [{ name: 'web', image }] } } });
const managedFields = [
  {
    manager: 'pulumi-kubernetes-1',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } } } } },
  },
  { manager: 'hpa-controller', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
  {
    manager: 'kubectl-set',
    fieldsType: 'FieldsV1',
    fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } },
  },
];
const state = { inputs: { spec: spec(2, 'nginx:1') }, outputs: { spec: spec(2, 'nginx:1'), metadata: {} } };
const live = {
  inputs: { spec: spec(5, 'nginx:hacked') },
  outputs: { __fieldManager: 'pulumi-kubernetes-1', spec: spec(5, 'nginx:hacked'), metadata: { managedFields } },
};

describe('EventCollector and Kubernetes field managers', () => {
  it('a refresh names the managers that own each drifted field, leaving out the provider itself', () => {
    const c = new EventCollector('web', () => undefined, true);
    c.handle(step('resourcePreEvent', { op: 'refresh', old: state, new: state }));
    c.handle(step('resOutputsEvent', { op: 'update', old: state, new: live }));
    expect(c.resourceList()[0]!.properties).toEqual([
      expect.objectContaining({ path: 'spec.replicas', old: '2', new: '5', managers: ['hpa-controller'] }),
      expect.objectContaining({ path: 'spec.template.spec.containers[0].image', managers: ['kubectl-set'] }),
    ]);
    // Every field other managers own is kept too: remediation leaves those of ignored managers alone.
    expect(c.resourceList()[0]!.foreignFields).toEqual([
      { path: ['spec', 'replicas'], managers: ['hpa-controller'] },
      { path: ['spec', 'template', 'spec', 'containers', 0, 'image'], managers: ['kubectl-set'] },
    ]);
  });

  it('a preview with --refresh reports what the update would change, not the drift its refresh step found', () => {
    const c = new EventCollector('web', () => undefined, false);
    const refreshed = { inputs: live.inputs, outputs: live.outputs };
    const both = {
      'spec.replicas': { diffKind: 'update', inputDiff: false },
      'spec.template.spec.containers[0].image': { diffKind: 'update', inputDiff: false },
    };
    c.handle(step('resourcePreEvent', { op: 'refresh', old: state, new: state }));
    // The refresh step's end carries the drift as a detailed diff (as the Kubernetes provider sends it).
    c.handle(step('resOutputsEvent', { op: 'refresh', old: state, new: refreshed, detailedDiff: both }));
    // The update step: replicas are ignored (ignoreChanges), only the image goes back.
    const image = { 'spec.template.spec.containers[0].image': { diffKind: 'update', inputDiff: false } };
    const update = { op: 'update', old: refreshed, new: { inputs: { spec: spec(5, 'nginx:1') } }, detailedDiff: image };
    c.handle(step('resourcePreEvent', update));
    c.handle(step('resOutputsEvent', update));
    expect(c.resourceList()[0]).toMatchObject({
      op: 'update',
      properties: [{ path: 'spec.template.spec.containers[0].image', kind: 'update', old: 'nginx:hacked', new: 'nginx:1' }],
    });
  });
});
