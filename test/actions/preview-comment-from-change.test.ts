import { afterEach, describe, expect, it } from 'vitest';
import { affectedStacks } from '../../src/merge-request/change-scope.js';
import { previewMergeRequest } from '../../src/merge-request/preview-merge-request.js';
import { previewMarkdown } from '../../src/report/preview-markdown.js';
import { testContext } from '../helpers/action-context.js';
import { createGitRepo, type GitRepo } from '../helpers/git-repo.js';
import { repoFiles, stackFile } from '../helpers/stack-files.js';

/**
 * The MR comment's plan sections from a real change (issue 13): what deploys on merge and in
 * what order, who waits for approval, what is destroyed or left alone, and which stacks read a
 * previewed stack's changed outputs. In process: real git, real stack files, a FakeEngine.
 */
let repo: GitRepo;
afterEach(async () => repo?.dispose());

/** A program that reads base's outputs through a StackReference with a literal name. */
const reader =
  "import * as pulumi from '@pulumi/pulumi';\nexport default async function program() {\n  new pulumi.StackReference('organization/app/base');\n}\n";

async function scenario() {
  repo = await createGitRepo({
    ...repoFiles({
      base: stackFile({}),
      web: stackFile({ dependsOn: ['base'] }),
      prod: stackFile({ program: 'reader', approvals: 1 }),
      old: stackFile({ allowDestroy: true }),
      gone: stackFile({}),
    }),
    'programs/reader/index.ts': reader,
  });
  const base = await repo.sha();
  await repo.write({ 'stacks/base.yaml': `${stackFile({})}description: bigger\n` });
  await repo.remove('stacks/old.yaml');
  await repo.remove('stacks/gone.yaml');
  await repo.commit('change base, delete two stacks');
  const t = await testContext(repo.dir);
  t.engine.script('base', 'preview', {
    changes: { update: 1 },
    resources: [
      {
        urn: 'urn:pulumi:base::app::gitops:demo:LocalFile::settings',
        type: 'gitops:demo:LocalFile',
        name: 'settings',
        op: 'update',
        changedProperties: ['content'],
        properties: [{ path: 'content', kind: 'update', old: '{"port":8080}', new: '{"port":9090}' }],
      },
    ],
    outputChanges: [{ name: 'port', kind: 'update', old: '8080', new: '9090' }],
  });
  t.engine.script('old', 'destroy-preview', {
    changes: { delete: 2 },
    resources: [
      {
        urn: 'urn:pulumi:old::app::gitops:demo:LocalFile::f',
        type: 'gitops:demo:LocalFile',
        name: 'f',
        op: 'delete',
        changedProperties: [],
        properties: [],
      },
      {
        urn: 'urn:pulumi:old::app::pulumi:pulumi:Stack::app-old',
        type: 'pulumi:pulumi:Stack',
        name: 'app-old',
        op: 'delete',
        changedProperties: [],
        properties: [],
      },
    ],
  });
  t.engine.script('gone', 'destroy-preview', { changes: { delete: 5 } });
  const scope = await affectedStacks(t.ctx, { base, head: 'HEAD' });
  return { t, scope, ...(await previewMergeRequest(t.ctx, scope, { comment: false })) };
}

describe('the comment from a real change', () => {
  it('plans the deploy after the merge: dependency order, approvals, destroys', async () => {
    const { report } = await scenario();
    expect(report.onMerge).toEqual({
      steps: [
        [{ name: 'base', after: [], approvals: 0 }],
        [
          { name: 'prod', after: ['base'], approvals: 1 },
          { name: 'web', after: ['base'], approvals: 0 },
        ],
      ],
      destroys: [
        { name: 'gone', allowed: false, approvals: 0 },
        { name: 'old', allowed: true, approvals: 0 },
      ],
    });
    const md = previewMarkdown({ ...report, limit: 65_536 });
    const onMerge = md.slice(md.indexOf('**On merge**'), md.indexOf('**Downstream impact**'));
    expect(onMerge).toContain('1. `base`: 1 to update\n');
    expect(onMerge).toContain('2. In parallel, after step 1:\n   - `prod`: 🔒 waits for 1 approval · no changes');
    expect(onMerge).toContain('3. 💥 **destroys** `old` with its 1 resource');
    expect(onMerge).toContain('Left alone: `gone`');
  });

  it('lists the readers of changed outputs: through a StackReference in the program, or dependsOn', async () => {
    const { report } = await scenario();
    expect(report.downstream).toEqual([
      {
        stack: 'base',
        outputs: [{ name: 'port', kind: 'update', old: '8080', new: '9090' }],
        readers: [
          { name: 'prod', via: 'stack-reference' },
          { name: 'web', via: 'depends-on' },
        ],
      },
    ]);
    const md = previewMarkdown({ ...report, limit: 65_536 });
    expect(md).toContain(
      '- `base` changes `port` (`8080` → `9090`).\n  Read by `prod` (StackReference), `web` (`dependsOn`): they **will see the new outputs after deploy**',
    );
    expect(md).toContain('| ✏️ update | `settings` demo LocalFile | `content` | `{"port":8080}` | `{"port":9090}` |');
    // A deleted stack left alone shows no delete count, only what happens to it.
    expect(md).toContain('| gone | — | — | — | — | left alone: its last definition did not set `allowDestroy` | no |');
    expect(md).toContain('### Pulumi preview: 5 stacks, 2 with changes');
  });
});
