import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ciEnv, type ForgeServer, startForgeServer, testProjects } from '../helpers/forge-server.js';
import { runGit } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { encryptConfig } from '../helpers/secrets.js';

/**
 * The MR comment on the real engine (issue 13): a merge request changes a config value of the
 * base stack (its output changes), the site's title, its secret API token, and its program. The
 * comment shows each changed value old → new, the secret only as [secret], the base stack's
 * changed output and the stack that reads it, and what deploys on merge in which order.
 */
const OLD_TOKEN = 'old-api-token-6f1d2c9a';
const NEW_TOKEN = 'new-api-token-b83e0d47';

describe('the preview comment on the real engine', () => {
  let box: Sandbox;
  let forge: ForgeServer;
  let preview: CliRun;
  let report: string;
  const git = (...args: string[]) => runGit(box.root, args);

  beforeAll(async () => {
    // Both tokens under one salt, so the merge request can swap one ciphertext for the other.
    const secrets = await encryptConfig('local-site', 'demo-web', 'gitops-demo', {
      'local-site:apiToken': OLD_TOKEN,
      'local-site:nextToken': NEW_TOKEN,
    });
    const web = {
      program: 'local-site',
      dependsOn: ['demo-base'],
      config: {
        'local-site:title': 'Hello from GitOps',
        'local-site:replicas': 2,
        'local-site:platformStack': 'organization/local-base/demo-base',
        'local-site:apiToken': secrets.config['local-site:apiToken'],
      },
      encryptionSalt: secrets.encryptionSalt,
    };
    forge = await startForgeServer();
    forge.state.addMergeRequest('gitlab', testProjects.gitlab, {
      number: 8,
      title: 'Move the platform',
      sourceBranch: 'feature',
      targetBranch: 'main',
    });
    box = await createSandbox({ stacks: { 'demo-web': stringify(web) }, keepStacks: true });
    await box.write('.gitignore', 'node_modules\n.gitops/\n*.md\n');
    await git('init', '-q', '-b', 'main');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    const first = await box.run(['deploy', '--all']);
    expect(first.code, first.stderr).toBe(0);

    await git('checkout', '-q', '-b', 'feature');
    const baseFile = path.join(box.root, 'stacks', 'demo-base.yaml');
    await box.write('stacks/demo-base.yaml', (await readFile(baseFile, 'utf8')).replace('basePort: 8080', 'basePort: 9090'));
    const changed = { ...web, config: { ...web.config, 'local-site:title': 'Hello from a merge request' } };
    changed.config['local-site:apiToken'] = secrets.config['local-site:nextToken'];
    await box.write('stacks/demo-web.yaml', stringify(changed));
    const program = path.join(box.root, 'programs', 'local-site', 'index.ts');
    await box.write(
      'programs/local-site/index.ts',
      (await readFile(program, 'utf8')).replace('"replicas": ${replicas}', '"replicas": ${replicas}, "tls": false'),
    );
    await git('commit', '-q', '-am', 'move the platform to 9090, retitle, rotate the token, tls off');
    preview = await box.run(
      ['preview', '--base', 'main', '--json', '--markdown', 'report.md', '--comment'],
      ciEnv(forge, 'gitlab', { CI_MERGE_REQUEST_IID: '8' }),
    );
    expect(preview.code, preview.stderr).toBe(0);
    report = await readFile(path.join(box.root, 'report.md'), 'utf8');
  });
  afterAll(async () => {
    await box?.dispose();
    await forge?.close();
  });

  it('shows each changed value old → new: a config value, a multi-line file, and a program change', () => {
    // demo-base's basePort, as the file its program writes.
    expect(report).toContain('-  "basePort": 8080\n+  "basePort": 9090');
    // demo-web's title.
    expect(report).toContain('-<title>Hello from GitOps</title>\n-<h1>Hello from GitOps</h1>\n+<title>Hello from a merge request</title>');
    // The program change: the server config gains a field.
    expect(report).toMatch(
      /-\{"listen": "localhost:8081", "replicas": 2, "root": "[^"]+"\}\n\+\{"listen": "localhost:8081", "replicas": 2, "tls": false, "root": "[^"]+"\}/,
    );
    // Short type names, and no Stack resource rows.
    expect(report).toContain('| ✏️ update | `index-html` demo LocalFile | `content` | ↓ diff below |  |');
    expect(report).not.toContain('pulumi:pulumi:Stack');
  });

  it('shows the rotated secret as [secret], and its plaintext nowhere', async () => {
    expect(report).toContain('| ✏️ update | `credentials` demo LocalFile | `content` | `[secret]` | `[secret]` |');
    const [note] = forge.state.project('gitlab', testProjects.gitlab).mergeRequests[0]!.comments;
    expect(note!.body).toContain('`credentials`');
    for (const text of [report, note!.body, preview.stdout, preview.stderr]) {
      expect(text).not.toContain(OLD_TOKEN);
      expect(text).not.toContain(NEW_TOKEN);
    }
  });

  it('lists the stack that reads the changed output, and says what happens on merge', () => {
    expect(report).toContain('| `basePort` | changes | `8080` | `9090` |');
    expect(report).toContain(
      '- `demo-base` changes `basePort` (`8080` → `9090`).\n  Read by `demo-web` (`dependsOn`): it **will see the new outputs after deploy**; its preview here used the outputs deployed today.',
    );
    const onMerge = report.slice(report.indexOf('**On merge**'), report.indexOf('**Downstream impact**'));
    expect(onMerge).toContain('1. `demo-base`: 1 to update\n2. `demo-web`: 3 to update · will see new outputs of `demo-base`\n');
  });
});
