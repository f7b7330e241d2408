import { afterEach, describe, expect, it } from 'vitest';
import { Git } from '../../src/git/git.js';
import { packsForStack } from '../../src/policy/select.js';
import { parsePolicySettings } from '../../src/policy/settings.js';
import { labelsOf, policyTargets } from '../../src/policy/stack-labels.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';

const yaml = (body: string) => `name: repo\nruntime: nodejs\ngitops:\n  policies:\n${body}`;

describe('packs selected by stack label', () => {
  const { settings, problems } = parsePolicySettings(
    yaml(
      '    kubernetes:\n      labels: [kubernetes]\n    prod-rules:\n      stacks: [prod-*]\n      labels: [production, pci]\n    demo: {}\n',
    ),
    'Pulumi.yaml',
  );

  it('applies a pack to a stack carrying one of its labels, or named by its stacks; no selector: every stack', () => {
    expect(problems).toEqual([]);
    expect(packsForStack(settings, { name: 'web', labels: ['kubernetes'] })).toEqual(['demo', 'kubernetes']);
    expect(packsForStack(settings, { name: 'ledger', labels: ['pci'] })).toEqual(['demo', 'prod-rules']);
    expect(packsForStack(settings, { name: 'prod-api', labels: [] })).toEqual(['demo', 'prod-rules']);
    expect(packsForStack(settings, { name: 'web', labels: ['kubernetes', 'production'] })).toEqual(['demo', 'kubernetes', 'prod-rules']);
    expect(packsForStack(settings, { name: 'scratch', labels: ['kube'] })).toEqual(['demo']);
  });

  it('refuses a bad label, an empty list and `stacks: all` with labels, naming the field', () => {
    const bad = parsePolicySettings(
      yaml('    a:\n      labels: [Prod]\n    b:\n      labels: []\n    c:\n      stacks: all\n      labels: [x]\n'),
      'Pulumi.yaml',
    ).problems;
    expect(bad).toEqual([
      expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.a\.labels\[0\]: a label is lower-case/),
      expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.b\.labels: /),
      expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.c\.labels: `stacks: all` already selects every stack/),
    ]);
  });

  it('a stack file carries labels; a bad one is refused naming the field', () => {
    const ok = parseStackFile('stacks/web.yaml', 'web', 'program: app\nlabels: [kubernetes, production]\n');
    expect(ok.diagnostics).toEqual([]);
    expect(ok.definition?.labels).toEqual(['kubernetes', 'production']);
    const bad = parseStackFile('stacks/web.yaml', 'web', 'program: app\nlabels: [Kube Prod]\n');
    expect(bad.definition).toBeUndefined();
    expect(JSON.stringify(bad.diagnostics)).toMatch(/labels.*a label is lower-case/);
  });

  it('reads labels from a stack file text, and nothing from text that is not a list of them', () => {
    expect(labelsOf('program: a\nlabels: [x, y]\n')).toEqual(['x', 'y']);
    expect(labelsOf('program: a\nlabels: x\n')).toEqual([]);
    expect(labelsOf('{not yaml')).toEqual([]);
    expect(labelsOf(undefined)).toEqual([]);
  });
});

describe('labels from the protected side', () => {
  let repo: GitRepo | undefined;
  afterEach(async () => {
    await repo?.dispose();
  });

  it('a change that drops a label keeps the base label; a new label adds to it', async () => {
    repo = await createGitRepo({ 'stacks/web.yaml': 'program: app\nlabels: [production]\n' });
    const base = await repo.sha();
    const targets = await policyTargets(
      new Git(repo.dir),
      [
        { name: 'web', labels: ['kubernetes'], file: 'stacks/web.yaml' },
        { name: 'fresh', labels: [], file: 'stacks/fresh.yaml' },
      ],
      base,
    );
    expect(targets).toEqual([
      { name: 'web', labels: ['kubernetes', 'production'] },
      { name: 'fresh', labels: [] },
    ]);
    expect(await policyTargets(new Git(repo.dir), [{ name: 'web', labels: ['kubernetes'], file: 'stacks/web.yaml' }], undefined)).toEqual([
      { name: 'web', labels: ['kubernetes'] },
    ]);
  });
});
