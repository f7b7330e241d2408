import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArtifactApi, startArtifactApi } from '../helpers/artifact-api.js';
import { runCiShell, templateScripts } from '../helpers/ci-tools.js';
import { gitIn } from '../helpers/git-repo.js';
import { createSandbox, demoEnv, gitopsBin, type Sandbox } from '../helpers/sandbox.js';

const exec = promisify(execFile);

/**
 * Reviewed is what deploys, through the CI templates, on the real engine. A merge request makes
 * its program two-faced: under `isDryRun()` (the preview a reviewer sees) it writes
 * `"mode":"benign"`, in the update `"mode":"MALICIOUS"`. The preview saves its plans; the forge
 * keeps them as the preview job's artifact (a local HTTP server answers as GitLab and GitHub
 * would); after the merge, each template's own deploy shell fetches them and runs its deploy
 * line. The bound deploy refuses the stack and changes nothing; the break-glass deploy, run by
 * hand, is unbound and deploys what the program does.
 *
 * The fetch runs with the forge's CI variables; the deploy line runs without them (no forge to
 * report to: approvals and comments are tested elsewhere), through an `npx` that runs this
 * checkout's gitops.
 */
const program = (twoFaced: boolean) => `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';
export default async function program() {
  const generation = new pulumi.Config().require('generation');
  const mode = ${twoFaced ? "pulumi.runtime.isDryRun() ? 'benign' : 'MALICIOUS'" : "'benign'"};
  const file = new LocalFile('settings', {
    path: \`\${demoDir(pulumi.getStack())}/settings.json\`,
    content: JSON.stringify({ mode, generation }) + '\\n',
  });
  return { path: file.path };
}
`;
const stackFile = (generation: number) => `program: twoface\nconfig:\n  twoface:generation: "${generation}"\n`;
const token = 'forge-token-not-a-real-secret';

interface DeployDoc {
  stacks: { name: string; status: string; error?: { code: string; message: string }; freshPreview?: { status: string } }[];
}

describe('the CI templates deploy what the merge request preview showed', () => {
  let box: Sandbox;
  let api: ArtifactApi;
  let deployEnv: Record<string, string>;
  let scripts: Awaited<ReturnType<typeof templateScripts>>;
  const { git, sha, commit } = gitIn(() => box.root);
  const live = () => readFile(path.join(box.root, '.gitops', 'demo', 'app', 'settings.json'), 'utf8');
  /**
   * A new CI job: no plans folder, no workspaces (and no config salts drawn in them). The state is
   * the one the preview saw, as if this were the first deploy after the merge: a refused update
   * is still an update in the stack's history, which would make the next test's plan stale for
   * another reason (the state moved) than the one under test.
   */
  const freshJob = async () => {
    for (const rel of ['gitops-plans', 'deploy.json', '.gitops/workspaces', '.gitops/state'])
      await rm(path.join(box.root, rel), { recursive: true, force: true });
    await cp(path.join(box.root, '.gitops', 'state-after-merge'), path.join(box.root, '.gitops', 'state'), { recursive: true });
  };
  const zip = async (name: string, cwd: string, what: string[]) => {
    const file = path.join(box.root, '.gitops', name);
    await exec('zip', ['-q', '-r', file, ...what], { cwd });
    return readFile(file);
  };
  /** The template's deploy line(s), after its fetch, in the job's folder. */
  const deployWith = async (lines: string) => {
    const run = await runCiShell(lines, box.root, deployEnv);
    const doc = JSON.parse(await readFile(path.join(box.root, 'deploy.json'), 'utf8')) as DeployDoc;
    return { code: run.code, stderr: run.stderr, app: doc.stacks.find((s) => s.name === 'app') };
  };

  let merged: string;
  let head: string;
  let gitlabArchive: Buffer;
  let githubArchive: Buffer;

  beforeAll(async () => {
    [box, api, scripts] = await Promise.all([createSandbox({ stacks: { app: stackFile(1) } }), startArtifactApi(token), templateScripts()]);
    await box.write('programs/twoface/index.ts', program(false));
    await box.write('.gitignore', 'node_modules\n.gitops/\ngitops-plans/\npreview.*\ndeploy.json\nbin/\n');
    // `npx gitops ...` of the template lines runs this checkout's driver.
    await mkdir(path.join(box.root, 'bin'));
    await writeFile(
      path.join(box.root, 'bin', 'npx'),
      `#!/bin/sh\n[ "$1" = gitops ] || exit 9\nshift\nexec "${process.execPath}" "${gitopsBin}" "$@"\n`,
    );
    await chmod(path.join(box.root, 'bin', 'npx'), 0o755);
    deployEnv = Object.fromEntries(
      Object.entries({ ...process.env, ...demoEnv, AWS_ID_TOKEN: 'eyJ.not-a-token' }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
    deployEnv.PATH = `${path.join(box.root, 'bin')}:${process.env.PATH}`;
    for (const k of Object.keys(deployEnv)) if (/^(CI|GITLAB_CI|GITHUB_.*|CI_.*)$/.test(k)) delete deployEnv[k];

    await git('init', '-q', '-b', 'main');
    await commit('initial');
    const first = await box.run(['deploy', '--all']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(await live())).toEqual({ mode: 'benign', generation: '1' });

    // The hostile merge request, and its preview job (the template's flags, less --comment: no forge here).
    await git('checkout', '-q', '-b', 'two-faced');
    await box.write('programs/twoface/index.ts', program(true));
    await box.write('stacks/app.yaml', stackFile(2));
    head = await commit('bump the generation');
    const preview = await box.run(['preview', '--base', 'main', '--markdown', 'preview.md', '--save-plans', 'gitops-plans', '--json']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(await readFile(path.join(box.root, 'preview.md'), 'utf8')).toContain('benign');
    // What each forge keeps of the job: GitLab the artifacts' paths, GitHub the folder's content.
    gitlabArchive = await zip('gitlab.zip', box.root, ['gitops-plans', 'preview.md']);
    githubArchive = await zip('github.zip', path.join(box.root, 'gitops-plans'), ['.']);

    await git('checkout', '-q', 'main');
    await git('merge', '-q', '--ff-only', 'two-faced');
    merged = await sha();
    expect(merged).toBe(head);
    await cp(path.join(box.root, '.gitops', 'state'), path.join(box.root, '.gitops', 'state-after-merge'), { recursive: true });
  }, 600_000);
  afterAll(async () => {
    await api?.close();
    await box?.dispose();
  });

  it('the preview a reviewer saw was benign', async () => {
    const record = JSON.parse(await readFile(path.join(box.root, 'gitops-plans', 'app.json'), 'utf8'));
    expect(record).toMatchObject({ stack: 'app', operation: 'up', planFile: 'app.plan.json', commit: head });
    expect(JSON.stringify(record.resources)).toContain('update');
  });

  it('GitLab: deploy fetches the merge request pipeline plans and refuses the two-faced update, changing nothing', async () => {
    await freshJob();
    const project = '/api/v4/projects/42';
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, {
      json: [{ iid: 5, state: 'merged', merge_commit_sha: null, squash_commit_sha: null, sha: head }],
    });
    api.answer(`${project}/merge_requests/5/pipelines?per_page=100`, { json: [{ id: 800, sha: head, ref: 'refs/merge-requests/5/head' }] });
    api.answer(`${project}/pipelines/800/jobs?per_page=100`, { json: [{ id: 2, name: 'preview', artifacts_file: { filename: 'a.zip' } }] });
    api.answer(`${project}/jobs/2/artifacts`, { zip: gitlabArchive });
    const [identity, fetchPlans, ...deployLines] = scripts.gitlab.deploy;
    expect(fetchPlans).toBe(scripts.gitlab.fetchPlans);
    const fetched = await runCiShell(fetchPlans!, box.root, {
      CI_API_V4_URL: `${api.url}/api/v4`,
      CI_PROJECT_ID: '42',
      CI_COMMIT_SHA: merged,
      GITOPS_GITLAB_TOKEN: token,
    });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain('the plans of merge request !5');

    const bound = await deployWith([identity, ...deployLines].join('\n'));
    expect(bound.code, bound.stderr).toBe(1);
    expect(bound.app).toMatchObject({ status: 'failed', error: { code: 'PREVIEW_STALE' }, freshPreview: { status: 'succeeded' } });
    // Bound, and caught by the plan itself: same tree, same state, but the update departed from it.
    expect(bound.app!.error!.message).toContain(
      'stack app: the approved preview is stale: the update departed from its plan at resource settings',
    );
    expect(JSON.parse(await live())).toEqual({ mode: 'benign', generation: '1' });
  });

  it('GitHub: deploy fetches the pull request head plans and refuses the two-faced update, changing nothing', async () => {
    await freshJob();
    api.answer(`/repos/team/infra/commits/${merged}/pulls`, {
      json: [{ number: 7, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: merged, head: { sha: head } }],
    });
    api.answer(`/repos/team/infra/actions/artifacts?name=gitops-plans-${head}&per_page=100`, {
      json: {
        artifacts: [
          {
            id: 11,
            expired: false,
            created_at: '2026-12-01T09:00:00Z',
            workflow_run: { head_sha: head, repository_id: 1, head_repository_id: 1 },
          },
        ],
      },
    });
    api.answer('/repos/team/infra/actions/artifacts/11/zip', { zip: githubArchive });
    const fetched = await runCiShell(scripts.github.fetchPlans, box.root, {
      GITHUB_API_URL: api.url,
      GITHUB_REPOSITORY: 'team/infra',
      GITHUB_SHA: merged,
      GITHUB_TOKEN: token,
    });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stdout).toContain('the plans of pull request #7');

    const bound = await deployWith(`EVENT=push\n${scripts.github.deploy}`);
    expect(bound.code, bound.stderr).toBe(1);
    expect(bound.app).toMatchObject({ status: 'failed', error: { code: 'PREVIEW_STALE' } });
    expect(bound.app!.error!.message).toContain('the update departed from its plan at resource settings');
    expect(JSON.parse(await live())).toEqual({ mode: 'benign', generation: '1' });
  });

  it('the break-glass deploy, run by hand, is not bound: it deploys what the program does (why it is manual and protected)', async () => {
    await freshJob();
    const unbound = await deployWith(scripts.gitlab.deployUnbound.join('\n'));
    expect(unbound.code, unbound.stderr).toBe(0);
    expect(unbound.app).toMatchObject({ status: 'succeeded' });
    expect(JSON.parse(await live())).toEqual({ mode: 'MALICIOUS', generation: '2' });
  });
});
