import { describe, expect, it } from 'vitest';
import {
  attributeOwners,
  type FieldsV1,
  fieldOwners,
  foreignFields,
  ownsPath,
  parseFieldKey,
  pulumiPath,
  splitPath,
} from '../../src/engine/managed-fields.js';

/** A Deployment as the Kubernetes provider reads it back on refresh (outputs), with the managedFields a real API server wrote. */
const live = {
  __fieldManager: 'pulumi-kubernetes-e4535dad',
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    labels: { 'app.kubernetes.io/name': 'web' },
    annotations: { 'pulumi.com/patchForce': 'true' },
    finalizers: ['example.com/keep'],
    managedFields: [
      {
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        manager: 'pulumi-kubernetes-e4535dad',
        operation: 'Apply',
        fieldsV1: {
          'f:metadata': { 'f:annotations': { 'f:pulumi.com/patchForce': {} }, 'f:labels': { 'f:app.kubernetes.io/name': {} } },
          'f:spec': {
            'f:selector': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': {
                    '.': {},
                    'f:name': {},
                    'f:ports': { 'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {} } },
                  },
                },
              },
            },
          },
        },
      },
      {
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        manager: 'hpa-controller',
        operation: 'Apply',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
      {
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        manager: 'kubectl-set',
        operation: 'Update',
        fieldsV1: { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } },
      },
      {
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        manager: 'finalizer-bot',
        operation: 'Update',
        fieldsV1: { 'f:metadata': { 'f:finalizers': { '.': {}, 'v:"example.com/keep"': {} } } },
      },
    ],
  },
  spec: {
    replicas: 5,
    selector: { matchLabels: { app: 'web' } },
    template: {
      spec: {
        containers: [
          { name: 'sidecar', image: 'envoy' },
          { name: 'web', image: 'nginx:hacked', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
        ],
      },
    },
  },
};

describe('parseFieldKey: the FieldsV1 key forms', () => {
  it('reads f:, k:, v:, i: and .', () => {
    expect(parseFieldKey('f:spec')).toEqual({ kind: 'field', name: 'spec' });
    expect(parseFieldKey('f:pulumi.com/patchForce')).toEqual({ kind: 'field', name: 'pulumi.com/patchForce' });
    expect(parseFieldKey('k:{"containerPort":8080,"protocol":"TCP"}')).toEqual({
      kind: 'key',
      fields: { containerPort: 8080, protocol: 'TCP' },
    });
    expect(parseFieldKey('v:"example.com/keep"')).toEqual({ kind: 'value', value: 'example.com/keep' });
    expect(parseFieldKey('i:3')).toEqual({ kind: 'index', index: 3 });
    expect(parseFieldKey('.')).toEqual({ kind: 'self' });
  });

  it('refuses malformed keys instead of guessing', () => {
    expect(parseFieldKey('k:{not json')).toBeUndefined();
    expect(parseFieldKey('k:"a string"')).toBeUndefined();
    expect(parseFieldKey('i:x')).toBeUndefined();
    expect(parseFieldKey('x:spec')).toBeUndefined();
  });
});

describe('ownsPath', () => {
  const entry = (i: number): FieldsV1 => live.metadata.managedFields[i]!.fieldsV1 as unknown as FieldsV1;

  it('follows f: fields to a leaf', () => {
    expect(ownsPath(entry(1), ['spec', 'replicas'], live)).toBe(true);
    expect(ownsPath(entry(0), ['spec', 'replicas'], live)).toBe(false);
  });

  it('maps a list index to the item key of the live item (k:{"name":"web"} is index 1 here)', () => {
    expect(ownsPath(entry(2), ['spec', 'template', 'spec', 'containers', 1, 'image'], live)).toBe(true);
    // The sidecar at index 0 has another name: kubectl-set does not own its image.
    expect(ownsPath(entry(2), ['spec', 'template', 'spec', 'containers', 0, 'image'], live)).toBe(false);
  });

  it('matches multi-field keys with numbers, and items of set lists by value', () => {
    expect(ownsPath(entry(0), ['spec', 'template', 'spec', 'containers', 1, 'ports', 0, 'name'], live)).toBe(true);
    expect(ownsPath(entry(3), ['metadata', 'finalizers', 0], live)).toBe(true);
  });

  it('an atomic field (a leaf with the path going on below it) owns everything inside it', () => {
    expect(ownsPath(entry(0), ['spec', 'selector', 'matchLabels', 'app'], live)).toBe(true);
  });

  it('a path above owned fields counts (part of it is owned); a sibling does not', () => {
    expect(ownsPath(entry(1), ['spec'], live)).toBe(true);
    expect(ownsPath(entry(1), ['spec', 'template'], live)).toBe(false);
  });
});

describe('fieldOwners', () => {
  it('names the managers of a field, leaving out the provider itself', () => {
    expect(fieldOwners(live, ['spec', 'replicas'], live.__fieldManager)).toEqual(['hpa-controller']);
    expect(fieldOwners(live, ['metadata', 'labels', 'app.kubernetes.io/name'], live.__fieldManager)).toEqual([]);
    expect(fieldOwners(live, ['metadata', 'labels', 'app.kubernetes.io/name'])).toEqual(['pulumi-kubernetes-e4535dad']);
  });

  it('knows nothing of objects without managed fields', () => {
    expect(fieldOwners({ spec: { replicas: 1 } }, ['spec', 'replicas'])).toEqual([]);
    expect(fieldOwners(undefined, ['spec'])).toEqual([]);
  });
});

describe('splitPath', () => {
  it('tells keys with dots apart using the objects', () => {
    expect(splitPath('metadata.labels.app.kubernetes.io/name', [live])).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
    expect(splitPath('spec.template.spec.containers[1].image', [live])).toEqual(['spec', 'template', 'spec', 'containers', 1, 'image']);
  });

  it('reads Pulumi quoted keys, and falls back to one part per dot when no object holds the key', () => {
    expect(splitPath('metadata.annotations["pulumi.com/patchForce"]', [])).toEqual(['metadata', 'annotations', 'pulumi.com/patchForce']);
    expect(splitPath('metadata.labels.a.b', [])).toEqual(['metadata', 'labels', 'a', 'b']);
    // A key deleted live is still found in the state.
    expect(splitPath('metadata.labels.gone.example/x', [live, { metadata: { labels: { 'gone.example/x': '1' } } }])).toEqual([
      'metadata',
      'labels',
      'gone.example/x',
    ]);
  });

  it('renders back to a Pulumi property path', () => {
    expect(pulumiPath(['spec', 'template', 'spec', 'containers', 1, 'image'])).toBe('spec.template.spec.containers[1].image');
    expect(pulumiPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
  });
});

describe('attributeOwners', () => {
  it('adds segments and managers to drifted properties of a Kubernetes object', () => {
    const props = attributeOwners(
      [
        { path: 'spec.replicas', kind: 'update', old: '2', new: '5' },
        { path: 'spec.template.spec.containers[1].image', kind: 'update', old: 'nginx:1.27', new: 'nginx:hacked' },
        { path: 'metadata.labels.app.kubernetes.io/name', kind: 'update', old: 'web', new: 'web' },
      ],
      live,
    );
    expect(props.map((p) => [p.path, p.managers])).toEqual([
      ['spec.replicas', ['hpa-controller']],
      ['spec.template.spec.containers[1].image', ['kubectl-set']],
      ['metadata.labels.app.kubernetes.io/name', []],
    ]);
    expect(props[2]!.segments).toEqual(['metadata', 'labels', 'app.kubernetes.io/name']);
  });

  it("leaves other providers' properties as they are", () => {
    const props = [{ path: 'content', kind: 'update' }];
    expect(attributeOwners(props, { content: 'x' })).toBe(props);
  });
});

describe('foreignFields', () => {
  it('lists every leaf another manager owns, list items at their live index, with all owners but the provider', () => {
    expect(foreignFields(live)).toEqual([
      { path: ['spec', 'replicas'], managers: ['hpa-controller'] },
      { path: ['spec', 'template', 'spec', 'containers', 1, 'image'], managers: ['kubectl-set'] },
      { path: ['metadata', 'finalizers', 0], managers: ['finalizer-bot'] },
    ]);
  });

  it('a node owned only as itself (".") is not a leaf: owning a map\'s presence is not owning its keys', () => {
    const obj = {
      metadata: {
        labels: { a: '1' },
        managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {} } } } }],
      },
    };
    expect(foreignFields(obj)).toEqual([]);
  });
});
