import { beforeAll, describe, expect, it } from 'vitest';
import { type MockedResource, mockPulumi, outputValue, settle } from '../helpers/pulumi-mocks.js';

describe('programs/k8s-app (Pulumi mocks)', () => {
  let resources: MockedResource[];
  let outputs: Record<string, unknown>;
  const byType = (type: string) => resources.find((r) => r.type === type)!;

  beforeAll(async () => {
    resources = await mockPulumi('k8s-app', 'staging', {
      'k8s-app:image': 'nginx:1.27',
      'k8s-app:replicas': '2',
      'k8s-app:namespace': 'web-staging',
      'k8s-app:env': { APP_ENV: 'staging', LOG_LEVEL: 'debug' },
      'k8s-app:resources': { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      'k8s-app:skipAwait': 'true',
    });
    const { default: program } = await import('../../programs/k8s-app/index.js');
    outputs = await program();
    await settle();
  });

  it('declares a Namespace, ConfigMap, Deployment and Service', () => {
    expect(resources.map((r) => r.type).sort()).toEqual([
      'kubernetes:apps/v1:Deployment',
      'kubernetes:core/v1:ConfigMap',
      'kubernetes:core/v1:Namespace',
      'kubernetes:core/v1:Service',
    ]);
  });

  it('the Service selects exactly the pods the Deployment makes', () => {
    const dep = byType('kubernetes:apps/v1:Deployment').inputs;
    const svc = byType('kubernetes:core/v1:Service').inputs;
    expect(dep.spec.selector.matchLabels).toEqual(dep.spec.template.metadata.labels);
    expect(svc.spec.selector).toEqual(dep.spec.selector.matchLabels);
    expect(svc.spec.ports[0].targetPort).toBe(dep.spec.template.spec.containers[0].ports[0].name);
  });

  it('image, replicas, env and resources come from config', async () => {
    const dep = byType('kubernetes:apps/v1:Deployment').inputs;
    const container = dep.spec.template.spec.containers[0];
    expect(dep.spec.replicas).toBe(2);
    expect(container.image).toBe('nginx:1.27');
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '1', memory: '512Mi' } });
    expect(byType('kubernetes:core/v1:ConfigMap').inputs.data).toEqual({ APP_ENV: 'staging', LOG_LEVEL: 'debug' });
    expect(container.envFrom[0].configMapRef.name).toBe('web-config');
    expect(await outputValue(outputs.namespace as never)).toBe('web-staging');
  });

  it('patchForce always, skipAwait and background deletion when asked, on every object', () => {
    for (const r of resources) {
      expect(r.inputs.metadata.annotations).toEqual({
        'pulumi.com/patchForce': 'true',
        'pulumi.com/skipAwait': 'true',
        'pulumi.com/deletionPropagationPolicy': 'background',
      });
      expect(r.inputs.metadata.labels['app.kubernetes.io/managed-by']).toBe('pulumi-gitops');
    }
  });
});
