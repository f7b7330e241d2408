import { describe, expect, it } from 'vitest';
import {
  managedElsewhereReason,
  remediationIgnores,
  revertsManagedElsewhere,
  splitManagedElsewhere,
} from '../../src/drift/managed-elsewhere.js';
import type { PropertyChange, ResourceChange } from '../../src/engine/result.js';
import { kubernetesTypeName, parseIgnorePath, pathMatches, rulePulumiPath, typeMatches } from '../../src/stacks/ignore-rules.js';

const deployment = 'kubernetes:apps/v1:Deployment';

describe('drift.ignorePaths entries: <type>:<property path>', () => {
  it('splits at the last colon, so Pulumi type tokens work as well as apiVersion/Kind', () => {
    expect(parseIgnorePath('apps/v1/Deployment:spec.replicas')).toEqual({
      text: 'apps/v1/Deployment:spec.replicas',
      type: 'apps/v1/Deployment',
      path: ['spec', 'replicas'],
    });
    expect(parseIgnorePath('kubernetes:apps/v1:Deployment:spec.template.spec.containers[*].image').path).toEqual([
      'spec',
      'template',
      'spec',
      'containers',
      { any: true },
      'image',
    ]);
    expect(parseIgnorePath('*:metadata.annotations["example.com/owner"]').path).toEqual(['metadata', 'annotations', 'example.com/owner']);
    expect(parseIgnorePath('pkg:File:items[2].*').path).toEqual(['items', 2, { any: true }]);
  });

  it.each([
    ['spec.replicas', 'is not <type>:<property path>'],
    ['apps/v1/Deployment:', 'is not <type>:<property path>'],
    [':spec.replicas', 'is not <type>:<property path>'],
    ['apps/v1/Deployment:spec..replicas', 'has an empty part'],
    ['apps/v1/Deployment:spec.containers[name]', 'use [N] for a list item'],
    ['apps/v1/Deployment:spec.containers[0', 'unclosed ['],
    ['apps/v1/Deployment:metadata.labels["a.b', 'unclosed ["..."]'],
    ['apps v1:spec', 'white space'],
  ])('refuses %j with a message saying what is wrong', (entry, message) => {
    expect(() => parseIgnorePath(entry)).toThrow(message);
  });

  it('matches types by glob over the Pulumi token or apiVersion/Kind', () => {
    expect(kubernetesTypeName(deployment)).toBe('apps/v1/Deployment');
    expect(kubernetesTypeName('kubernetes:core/v1:ConfigMap')).toBe('v1/ConfigMap');
    expect(kubernetesTypeName('aws:s3/bucket:Bucket')).toBeUndefined();
    expect(typeMatches('apps/v1/Deployment', deployment)).toBe(true);
    expect(typeMatches('kubernetes:apps/v1:Deployment', deployment)).toBe(true);
    expect(typeMatches('apps/*/Deployment', deployment)).toBe(true);
    expect(typeMatches('*', 'pkg:File')).toBe(true);
    expect(typeMatches('v1/ConfigMap', deployment)).toBe(false);
    expect(typeMatches('apps/v1/Deploy', deployment)).toBe(false);
  });

  it('covers the path and everything below it; * is any one segment', () => {
    const rule = parseIgnorePath('*:spec.template.spec.containers[*].image').path;
    expect(pathMatches(rule, ['spec', 'template', 'spec', 'containers', 1, 'image'])).toBe(true);
    expect(pathMatches(rule, ['spec', 'template', 'spec', 'containers', 1, 'name'])).toBe(false);
    expect(pathMatches(parseIgnorePath('*:spec').path, ['spec', 'replicas'])).toBe(true);
    expect(pathMatches(parseIgnorePath('*:spec.replicas').path, ['spec'])).toBe(false);
    expect(pathMatches(parseIgnorePath('*:spec.rep').path, ['spec', 'replicas'])).toBe(false);
    // A key with dots not told apart in the drift path still matches the rule's quoted key.
    expect(pathMatches(parseIgnorePath('*:metadata.labels["a.b/c"]').path, ['metadata', 'labels', 'a', 'b/c'])).toBe(true);
  });

  it('renders rule paths the way Pulumi ignoreChanges reads them', () => {
    expect(rulePulumiPath(parseIgnorePath('*:spec.template.spec.containers[*].image').path)).toBe('spec.template.spec.containers[*].image');
    expect(rulePulumiPath(parseIgnorePath('*:metadata.labels["a.b/c"]').path)).toBe('metadata.labels["a.b/c"]');
  });
});

const prop = (path: string, managers?: string[], segments?: (string | number)[]): PropertyChange => ({
  path,
  kind: 'update',
  old: 'git',
  new: 'live',
  ...(managers ? { managers } : {}),
  ...(segments ? { segments } : {}),
});
const resource = (name: string, properties: PropertyChange[], type = deployment): ResourceChange => ({
  urn: `urn:pulumi:s::app::${type}::${name}`,
  type,
  name,
  op: 'update',
  changedProperties: [...new Set(properties.map((p) => p.path.split('.')[0]!))],
  properties,
});

describe('managed elsewhere', () => {
  const hpa = { ignoreManagers: ['hpa-controller'] };

  it('a field whose every owner is an ignored manager is managed elsewhere', () => {
    expect(managedElsewhereReason(resource('d', []), prop('spec.replicas', ['hpa-controller']), hpa)).toBe('manager hpa-controller');
  });

  it('stays drift when any owner is not ignored, or no owner is known', () => {
    expect(managedElsewhereReason(resource('d', []), prop('spec.replicas', ['hpa-controller', 'kubectl-scale']), hpa)).toBeUndefined();
    expect(managedElsewhereReason(resource('d', []), prop('spec.replicas', []), hpa)).toBeUndefined();
    expect(managedElsewhereReason(resource('d', []), prop('spec.replicas'), hpa)).toBeUndefined();
  });

  it('an ignored path needs no manager, and only applies to its type', () => {
    const paths = { ignorePaths: ['apps/v1/Deployment:spec.replicas'] };
    expect(managedElsewhereReason(resource('d', []), prop('spec.replicas'), paths)).toBe('path apps/v1/Deployment:spec.replicas');
    expect(managedElsewhereReason(resource('c', [], 'kubernetes:core/v1:ConfigMap'), prop('spec.replicas'), paths)).toBeUndefined();
  });

  it('splits drifted resources: only fields not managed elsewhere count as drift', () => {
    const split = splitManagedElsewhere(
      [
        resource('deployment', [
          prop('spec.replicas', ['hpa-controller']),
          prop('spec.template.spec.containers[0].image', ['kubectl-set']),
        ]),
        resource('scaled', [prop('spec.replicas', ['hpa-controller'])]),
      ],
      hpa,
    );
    expect(split.drifted.map((r) => [r.name, r.properties.map((p) => p.path)])).toEqual([
      ['deployment', ['spec.template.spec.containers[0].image']],
    ]);
    expect(split.managedElsewhere.map((r) => [r.name, r.properties.map((p) => [p.path, p.managedElsewhere])])).toEqual([
      ['deployment', [['spec.replicas', 'manager hpa-controller']]],
      ['scaled', [['spec.replicas', 'manager hpa-controller']]],
    ]);
    expect(split.drifted[0]!.changedProperties).toEqual(['spec']);
  });

  it('remediation ignores each managed-elsewhere field, every field only ignored managers own, and each ignored path', () => {
    const elsewhere = [
      resource('deployment', [{ ...prop('metadata.labels.a.b/c', ['x'], ['metadata', 'labels', 'a.b/c']), managedElsewhere: 'manager x' }]),
    ];
    const refreshed: ResourceChange[] = [
      {
        ...resource('deployment', []),
        foreignFields: [
          // Owned by the autoscaler alone, though not drifted now: still left alone.
          { path: ['spec', 'replicas'], managers: ['hpa-controller'] },
          // Owned by someone not ignored as well: Git's value goes back.
          { path: ['spec', 'paused'], managers: ['hpa-controller', 'kubectl-edit'] },
          { path: ['metadata', 'labels', 'a.b/c'], managers: ['x'] },
        ],
      },
    ];
    expect(
      remediationIgnores(refreshed, elsewhere, {
        ignoreManagers: ['hpa-controller', 'x'],
        ignorePaths: ['apps/v1/Deployment:spec.replicas'],
      }),
    ).toEqual([
      { type: deployment, name: 'deployment', paths: ['metadata.labels["a.b/c"]'], reason: 'manager x' },
      { type: deployment, name: 'deployment', paths: ['spec.replicas'], reason: 'manager hpa-controller' },
      { type: 'apps/v1/Deployment', paths: ['spec.replicas'], reason: 'path apps/v1/Deployment:spec.replicas' },
    ]);
    expect(remediationIgnores(refreshed, [], {})).toEqual([]);
  });

  it('fails closed when the remediation preview would still change a field it was told to leave', () => {
    const rules = [
      { type: deployment, name: 'deployment', paths: ['spec.replicas'], reason: 'manager hpa-controller' },
      { type: 'v1/ConfigMap', paths: ['data'], reason: 'path v1/ConfigMap:data' },
      { type: '*', paths: ['metadata.labels["a.b/c"]'], reason: 'path *:metadata.labels["a.b/c"]' },
    ];
    const preview = (path: string, type = deployment, name = 'deployment') => ({ resources: [resource(name, [prop(path)], type)] });
    expect(revertsManagedElsewhere(preview('spec.replicas'), rules)).toBe(
      'would revert deployment spec.replicas, which is managed elsewhere (manager hpa-controller)',
    );
    expect(revertsManagedElsewhere(preview('spec'), rules)).toContain('managed elsewhere');
    expect(revertsManagedElsewhere(preview('spec.template.spec.containers[0].image'), rules)).toBeUndefined();
    // Another Deployment of the same type is not covered by a rule for one resource.
    expect(revertsManagedElsewhere(preview('spec.replicas', deployment, 'other'), rules)).toBeUndefined();
    expect(revertsManagedElsewhere(preview('data.LEVEL', 'kubernetes:core/v1:ConfigMap', 'config'), rules)).toBe(
      'would revert config data.LEVEL, which is managed elsewhere (path v1/ConfigMap:data)',
    );
    expect(revertsManagedElsewhere(preview('metadata.labels["a.b/c"]'), rules)).toContain('managed elsewhere');
    expect(revertsManagedElsewhere(preview('metadata.labels.a.b/c'), rules)).toContain('managed elsewhere');
  });
});
