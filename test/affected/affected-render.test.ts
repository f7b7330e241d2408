import { describe, expect, it } from 'vitest';
import type { AffectedResult } from '../../src/affected/model.js';
import { mergeInferredEdges } from '../../src/affected/stack-references.js';
import { affectedJson, renderAffectedList, renderExplain } from '../../src/report/affected-render.js';
import { renderGraphMermaid, renderGraphText } from '../../src/report/graph-render.js';

const base = 'a'.repeat(40);
const head = 'b'.repeat(40);
const mergeBase = 'c'.repeat(40);

/** A result as computeAffected returns it for a merge request touching a shared lib and deleting a stack. */
const result: AffectedResult = {
  base,
  head,
  mergeBase,
  changes: [
    { status: 'M', path: 'programs/shared/tags-impl.ts' },
    { status: 'D', path: 'stacks/legacy.yaml' },
  ],
  stacks: [
    { name: 'app', action: 'update', reasons: [{ kind: 'dependency', stack: 'network' }] },
    {
      name: 'legacy',
      action: 'destroy',
      reasons: [{ kind: 'deleted', path: 'stacks/legacy.yaml' }],
      previous: {
        file: 'stacks/legacy.yaml',
        text: 'program: legacy\nallowDestroy: true\n',
        definition: {
          name: 'legacy',
          file: 'stacks/legacy.yaml',
          program: 'legacy',
          project: 'legacy',
          stack: 'legacy',
          dependsOn: [],
          config: {},
          drift: { policy: 'detect' },
          allowDestroy: true,
        },
        problems: [],
      },
    },
    {
      name: 'network',
      action: 'update',
      reasons: [
        {
          kind: 'import',
          path: 'programs/shared/tags-impl.ts',
          via: ['programs/network/index.ts', 'programs/shared/tags.ts', 'programs/shared/tags-impl.ts'],
        },
      ],
    },
  ],
  warnings: [],
};

describe('affected renderers', () => {
  it('produces the documented JSON shape', () => {
    expect(JSON.parse(JSON.stringify(affectedJson(result)))).toEqual({
      base,
      head,
      mergeBase,
      stacks: [
        { name: 'app', action: 'update', reasons: [{ kind: 'dependency', stack: 'network' }] },
        { name: 'legacy', action: 'destroy', allowDestroy: true, reasons: [{ kind: 'deleted', path: 'stacks/legacy.yaml' }] },
        { name: 'network', action: 'update', reasons: [{ kind: 'import', path: 'programs/shared/tags-impl.ts' }] },
      ],
    });
    expect(affectedJson({ ...result, warnings: ['w'] }).warnings).toEqual(['w']);
  });

  it('explains every stack with every reason', () => {
    expect(renderExplain(result)).toBe(
      [
        `3 stacks affected: 2 changed files from merge-base ${mergeBase.slice(0, 12)} to ${head.slice(0, 12)}`,
        'app: update',
        '  - depends on network, which is affected',
        'legacy: destroy (allowDestroy: true)',
        '  - stack file stacks/legacy.yaml was deleted',
        'network: update',
        '  - imports programs/shared/tags-impl.ts, which changed (programs/network/index.ts -> programs/shared/tags.ts -> programs/shared/tags-impl.ts)',
        '',
      ].join('\n'),
    );
  });

  it('explains missing history and --files results', () => {
    const missing = renderExplain({
      ...result,
      mergeBase: null,
      changes: [],
      stacks: [{ name: 'app', action: 'update', reasons: [{ kind: 'history-missing' }] }],
      warnings: ['cannot tell which stacks changed'],
    });
    expect(missing).toContain(`base ${base.slice(0, 12)}, no merge-base`);
    expect(missing).toContain('warning: cannot tell which stacks changed');
    expect(missing).toContain('  - the merge-base could not be found, so every stack is treated as affected');
    const files = renderExplain({ ...result, base: null, head: null, mergeBase: null, stacks: [] });
    expect(files).toBe('0 stacks affected by 2 listed files\n');
  });

  it('lists stacks with their action', () => {
    expect(renderAffectedList(result)).toBe('app\tupdate\nlegacy\tdestroy\nnetwork\tupdate\n');
  });
});

describe('graph renderers', () => {
  const nodes = mergeInferredEdges(
    [
      { name: 'network', dependsOn: [] },
      { name: 'database', dependsOn: ['network'] },
      { name: 'app', dependsOn: ['database'] },
      { name: 'tools.prod', dependsOn: [] },
    ],
    [{ from: 'app', to: 'network', reference: 'org/network/network', file: 'programs/app/index.ts', line: 3 }],
  );

  it('prints deployment waves with what each stack waits for', () => {
    expect(renderGraphText(nodes)).toBe(
      [
        'Wave 1',
        '  network',
        '  tools.prod',
        'Wave 2',
        '  database    <- network',
        'Wave 3',
        '  app         <- database, network (StackReference)',
        '',
      ].join('\n'),
    );
    expect(renderGraphText([])).toBe('(no stacks)\n');
  });

  it('prints cycles instead of waves when inferred edges close one', () => {
    const text = renderGraphText([
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['a'], inferred: ['a'] },
    ]);
    expect(text).toBe(['dependency cycle: a -> b -> a', 'Stacks', '  a  <- b', '  b  <- a (StackReference)', ''].join('\n'));
  });

  it('draws a Mermaid flowchart, inferred edges dotted, affected stacks highlighted', () => {
    expect(renderGraphMermaid(nodes, ['app', 'network', 'unknown'])).toBe(
      [
        'flowchart LR',
        '  s0["app"]',
        '  s1["database"]',
        '  s2["network"]',
        '  s3["tools.prod"]',
        '  s1 --> s0',
        '  s2 -.->|StackReference| s0',
        '  s2 --> s1',
        '  classDef affected fill:#fde68a,stroke:#b45309,stroke-width:2px',
        '  class s0,s2 affected',
        '',
      ].join('\n'),
    );
    expect(renderGraphMermaid(nodes)).not.toContain('classDef');
  });
});

describe('reasons for files programs read', () => {
  const reads: AffectedResult = {
    base: null,
    head: null,
    mergeBase: null,
    changes: [
      { status: 'M', path: 'data/values.json' },
      { status: 'M', path: 'charts/api/values.yaml' },
    ],
    stacks: [
      {
        name: 'api',
        action: 'update',
        reasons: [
          { kind: 'read', path: 'data/values.json', via: ['programs/api/index.ts', 'lib/values.ts'] },
          { kind: 'watch', path: 'charts/api/values.yaml', pattern: 'charts/api/**' },
        ],
      },
    ],
    warnings: [],
  };

  it('--explain names the changed file, who reads it, and the watch entry that matched', () => {
    expect(renderExplain(reads)).toBe(
      [
        '1 stack affected by 2 listed files',
        'api: update',
        '  - reads data/values.json, which changed (read by programs/api/index.ts -> lib/values.ts)',
        '  - watches charts/api/**, and charts/api/values.yaml changed',
        '',
      ].join('\n'),
    );
  });

  it('--json keeps the watch pattern', () => {
    expect(affectedJson(reads).stacks[0]!.reasons).toEqual([
      { kind: 'read', path: 'data/values.json' },
      { kind: 'watch', path: 'charts/api/values.yaml', pattern: 'charts/api/**' },
    ]);
  });
});
