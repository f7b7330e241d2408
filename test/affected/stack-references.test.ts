import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAffectedFromFiles } from '../../src/affected/affected.js';
import { programImportGraph } from '../../src/affected/affected-from-changes.js';
import { fileSource } from '../../src/affected/module-source.js';
import { detectStackReferences, findStackReferences, mergeInferredEdges, resolveReference } from '../../src/affected/stack-references.js';
import { layoutAt, type RepoLayout } from '../../src/repo/layout.js';
import { loadStacks, type StackCatalog } from '../../src/stacks/load.js';
import { platformFiles, stackYaml, writeTree } from '../helpers/git-repo.js';
import { repoRoot } from '../helpers/sandbox.js';

describe('findStackReferences', () => {
  it('finds literal names, the name option, and computed names, with their lines', () => {
    const text = [
      "import * as pulumi from '@pulumi/pulumi';",
      "const a = new pulumi.StackReference('organization/network/network');",
      'const b = new StackReference("ref", { name: "database/database" });',
      'const c = new pulumi.StackReference(config.require("platform"));',
      'const d = new StackReference(`tools`);',
    ].join('\n');
    expect(findStackReferences(text)).toEqual([
      { name: 'organization/network/network', line: 2 },
      { name: 'database/database', line: 3 },
      { name: undefined, line: 4 },
      { name: 'tools', line: 5 },
    ]);
    expect(findStackReferences('const x = 1;')).toEqual([]);
  });
});

describe('detectStackReferences', () => {
  let dir: string;
  let layout: RepoLayout;
  let catalog: StackCatalog;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-refs-'));
    writeTree(dir, {
      ...platformFiles(),
      'stacks/tools-prod.yaml': stackYaml('tools', { stack: 'prod' }),
      // app reads network's outputs directly, and database's through a shared helper it imports.
      'programs/app/index.ts':
        "import * as pulumi from '@pulumi/pulumi';\nimport { dbRef } from '../shared/refs.js';\nconst net = new pulumi.StackReference('organization/network/network');\nexport default async () => ({ n: net.getOutput('x'), d: dbRef() });\n",
      'programs/shared/refs.ts':
        "import { StackReference } from '@pulumi/pulumi';\nexport const dbRef = () => new StackReference('db', { name: 'database/database' }).getOutput('url');\n",
      // tools (two stacks) references "prod" of its own project, a stack of another repository, and one from config.
      'programs/tools/index.ts':
        "import * as pulumi from '@pulumi/pulumi';\nconst p = new pulumi.StackReference('prod');\nconst ext = new pulumi.StackReference('acme/billing/prod');\nconst dyn = new pulumi.StackReference(new pulumi.Config().require('other'));\nexport default async () => ({});\n",
    });
    layout = layoutAt(dir);
    catalog = await loadStacks(layout);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps literal references, in the program and in the files it imports, to stacks', () => {
    const scan = detectStackReferences(catalog, layout);
    expect(scan.edges.map((e) => [e.from, e.to, e.file, e.line])).toEqual([
      ['app', 'network', 'programs/app/index.ts', 3],
      ['app', 'database', 'programs/shared/refs.ts', 2],
      ['tools', 'tools-prod', 'programs/tools/index.ts', 2],
    ]);
    expect(scan.unresolved.map((u) => [u.stack, u.reference])).toEqual([
      ['tools-prod', 'acme/billing/prod'],
      ['tools', 'acme/billing/prod'],
    ]);
    expect(scan.dynamic).toEqual([{ program: 'tools', file: 'programs/tools/index.ts', line: 4 }]);
  });

  it('resolves org/project/stack, project/stack and a bare stack of the same project', () => {
    expect(resolveReference('org/network/network', 'x', catalog)).toBe('network');
    expect(resolveReference('network/network', 'x', catalog)).toBe('network');
    expect(resolveReference('prod', 'tools', catalog)).toBe('tools-prod');
    expect(resolveReference('prod', 'network', catalog)).toBeUndefined();
  });

  it('merged into the graph, inferred edges make dependents affected', () => {
    const nodes = mergeInferredEdges(catalog.stacks, detectStackReferences(catalog, layout).edges);
    expect(nodes.find((n) => n.name === 'app')).toEqual({ name: 'app', dependsOn: ['database', 'network'], inferred: ['network'] });
    const without = computeAffectedFromFiles({ layout, catalog, files: ['stacks/tools-prod.yaml'] });
    expect(without.stacks.map((s) => s.name)).toEqual(['tools-prod']);
    const withRefs = computeAffectedFromFiles({ layout, catalog, nodes, files: ['stacks/tools-prod.yaml', 'programs/network/index.ts'] });
    expect(withRefs.stacks.map((s) => [s.name, s.reasons.map((r) => r.stack ?? r.path)])).toEqual([
      ['app', ['database', 'network']],
      ['database', ['network']],
      ['network', ['programs/network/index.ts']],
      ['tools', ['tools-prod']],
      ['tools-prod', ['stacks/tools-prod.yaml']],
    ]);
  });

  it('shares one import graph with computeAffected, so the programs are read once', () => {
    const reads = new Map<string, number>();
    const disk = fileSource(dir);
    const source = {
      isFile: disk.isFile,
      read: (f: string) => {
        reads.set(f, (reads.get(f) ?? 0) + 1);
        return disk.read(f);
      },
    };
    const graph = programImportGraph(catalog, layout, { source, cache: false });
    const scan = detectStackReferences(catalog, layout, { graph });
    expect(scan.edges).toHaveLength(3);
    const afterScan = new Map(reads);
    const r = computeAffectedFromFiles({ layout, catalog, graph, files: ['programs/shared/refs.ts'] });
    expect(r.stacks.map((s) => s.name)).toEqual(['app']);
    expect(reads).toEqual(afterScan);
  });

  it("reports the demo's config-driven reference as dynamic, not as an edge", async () => {
    const demo = layoutAt(repoRoot);
    const scan = detectStackReferences(await loadStacks(demo), demo);
    expect(scan.edges).toEqual([]);
    expect(scan.dynamic.map((d) => d.file)).toEqual(['programs/local-site/index.ts']);
  });
});
