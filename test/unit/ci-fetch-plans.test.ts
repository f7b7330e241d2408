import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ArtifactApi, startArtifactApi } from '../helpers/artifact-api.js';
import { runCiShell, templateScripts } from '../helpers/ci-tools.js';

const exec = promisify(execFile);

/**
 * The templates' own shell that finds the merged change's plans and downloads them (the GitHub
 * deploy job's "Fetch the reviewed plans" step, GitLab's `.fetch-plans` block), run unchanged
 * with bash, curl, jq/node and unzip against a local HTTP server answering as the forge would.
 * test/e2e/ci-plans.test.ts runs the same shell before a real deploy.
 */
const token = 'forge-token-not-a-real-secret';
const merged = 'a'.repeat(40);
const head = 'b'.repeat(40);

let api: ArtifactApi;
let tmp: string;
let scripts: Awaited<ReturnType<typeof templateScripts>>;
let job: string;
beforeAll(async () => {
  api = await startArtifactApi(token);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gitops-fetch-plans-'));
  scripts = await templateScripts();
});
afterAll(async () => {
  await api.close();
  await rm(tmp, { recursive: true, force: true });
});
beforeEach(async () => {
  job = await mkdtemp(path.join(tmp, 'job-'));
  api.seen.length = 0;
});

/**
 * A zip made by `zip` from `files` under a folder, plus what a hostile preview job could add:
 * a symbolic link named like a record, a record in a subfolder and a file of another kind.
 */
async function archive(files: Record<string, string>, hostile = true): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmp, 'archive-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  const plans = Object.keys(files)[0]!.includes('/') ? path.join(dir, 'gitops-plans') : dir;
  if (hostile) {
    await symlink('/etc/hostname', path.join(plans, 'stolen.json'));
    await mkdir(path.join(plans, 'nested'));
    await writeFile(path.join(plans, 'nested', 'deep.json'), '{}');
    await writeFile(path.join(plans, 'notes.txt'), 'not a record');
  }
  await exec('zip', ['-q', '-r', '-y', path.join(dir, 'out.zip'), '.'], { cwd: dir });
  return readFile(path.join(dir, 'out.zip'));
}

const plansIn = async () => (await readdir(path.join(job, 'gitops-plans'))).sort();
const storage = () => api.seen.filter((r) => r.url.startsWith('/storage/'));

describe('GitHub: the deploy job fetches the merged pull request plans', () => {
  const env = () => ({ GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'team/infra', GITHUB_SHA: merged, GITHUB_TOKEN: token });
  const run = (variant: Record<string, string> = {}) => runCiShell(scripts.github.fetchPlans, job, { ...env(), ...variant });
  const runOf = (id: number, created: string, extra: object = {}) => ({
    id,
    expired: false,
    created_at: created,
    workflow_run: { head_sha: head, repository_id: 1, head_repository_id: 1 },
    ...extra,
  });

  it("takes the newest unexpired artifact of this repository's run for the pull request's head, and only its plan records", async () => {
    api.answer(`/repos/team/infra/commits/${merged}/pulls`, {
      json: [
        { number: 3, merged_at: null, merge_commit_sha: merged, head: { sha: 'c'.repeat(40) } },
        { number: 7, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: merged, head: { sha: head } },
      ],
    });
    api.answer(`/repos/team/infra/actions/artifacts?name=gitops-plans-${head}&per_page=100`, {
      json: {
        artifacts: [
          runOf(10, '2026-12-01T08:00:00Z'),
          runOf(11, '2026-12-01T09:00:00Z'),
          // A fork's pull request run can upload an artifact of the same name; an expired one cannot be downloaded.
          runOf(12, '2026-12-01T09:30:00Z', { workflow_run: { head_sha: head, repository_id: 1, head_repository_id: 99 } }),
          runOf(13, '2026-12-01T09:40:00Z', { expired: true }),
        ],
      },
    });
    api.answer('/repos/team/infra/actions/artifacts/11/zip', {
      zip: await archive({ 'web.json': '{"stack":"web"}', 'web.plan.json': '{}' }),
    });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`the plans of pull request #7 (head ${head}, artifact 11): 1 stacks`);
    expect(await plansIn()).toEqual(['web.json', 'web.plan.json']);
    // The download followed the redirect to storage without the token.
    expect(storage()).toHaveLength(1);
    expect(storage()[0]!.host).toMatch(/^localhost:/);
    expect(storage()[0]!.headers.authorization).toBeUndefined();
  });

  it('fetches nothing for a push that is no pull request merge, and says why; deploy then refuses what it would change', async () => {
    api.answer(`/repos/team/infra/commits/${merged}/pulls`, { json: [] });
    // Plans committed to the repository (by a merge request) are not plans anyone reviewed.
    await mkdir(path.join(job, 'gitops-plans'));
    await writeFile(path.join(job, 'gitops-plans', 'app.json'), '{"forged":true}');
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`::warning title=gitops: no reviewed plans::${merged} is not the merge of a pull request`);
    expect(await plansIn()).toEqual([]);
    expect(api.seen.map((r) => r.url)).toEqual([`/repos/team/infra/commits/${merged}/pulls`]);
  });

  it('fetches nothing when the artifact expired, and says so', async () => {
    api.answer(`/repos/team/infra/commits/${merged}/pulls`, {
      json: [{ number: 7, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: merged, head: { sha: head } }],
    });
    api.answer(`/repos/team/infra/actions/artifacts?name=gitops-plans-${head}&per_page=100`, {
      json: { artifacts: [runOf(13, '2026-12-01T09:40:00Z', { expired: true })] },
    });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`pull request #7 (head ${head}) has no unexpired plans artifact`);
    expect(await plansIn()).toEqual([]);
  });

  it('stops with exit 2 naming the permission when the token cannot list artifacts', async () => {
    api.answer(`/repos/team/infra/commits/${merged}/pulls`, {
      json: [{ number: 7, merged_at: '2026-12-01T10:00:00Z', merge_commit_sha: merged, head: { sha: head } }],
    });
    api.answer(`/repos/team/infra/actions/artifacts?name=gitops-plans-${head}&per_page=100`, { status: 403 });
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('::error title=gitops: cannot fetch the reviewed plans::GET');
    expect(result.stderr).toContain('actions: read');
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
  });
});

describe("GitLab: the deploy job fetches the merged merge request's plans", () => {
  const project = '/api/v4/projects/42';
  const env = () => ({ CI_API_V4_URL: `${api.url}/api/v4`, CI_PROJECT_ID: '42', CI_COMMIT_SHA: merged, GITOPS_GITLAB_TOKEN: token });
  const run = () => runCiShell(scripts.gitlab.fetchPlans, job, env());
  const mergeRequest = (extra: object = {}) => ({
    iid: 5,
    state: 'merged',
    merge_commit_sha: merged,
    squash_commit_sha: null,
    sha: head,
    ...extra,
  });

  it("takes the preview job's artifact of the pipeline for the head commit, and only its plan records", async () => {
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, {
      json: [mergeRequest({ iid: 4, state: 'closed' }), mergeRequest()],
    });
    api.answer(`${project}/merge_requests/5/pipelines?per_page=100`, {
      json: [
        { id: 900, sha: 'd'.repeat(40), ref: 'refs/merge-requests/5/head' },
        { id: 800, sha: head, ref: 'refs/merge-requests/5/head' },
      ],
    });
    api.answer(`${project}/pipelines/800/jobs?per_page=100`, {
      json: [
        { id: 1, name: 'toolchain' },
        { id: 2, name: 'preview', artifacts_file: { filename: 'artifacts.zip', size: 1 } },
      ],
    });
    const zip = await archive({
      'gitops-plans/web.json': '{"stack":"web"}',
      'gitops-plans/web.plan.json': '{}',
      'preview.md': '# preview',
    });
    api.answer(`${project}/jobs/2/artifacts`, { zip });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`the plans of merge request !5 (head ${head}, pipeline 800, job 2): 1 stacks`);
    expect(await plansIn()).toEqual(['web.json', 'web.plan.json']);
    expect(storage()).toHaveLength(1);
    expect(storage()[0]!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(storage()[0]!.headers)).not.toContain(token);
  });

  it('finds the merge request of a fast-forward merge by its head commit', async () => {
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, { json: [mergeRequest({ merge_commit_sha: null, sha: merged })] });
    api.answer(`${project}/merge_requests/5/pipelines?per_page=100`, {
      json: [{ id: 801, sha: merged, ref: 'refs/merge-requests/5/head' }],
    });
    api.answer(`${project}/pipelines/801/jobs?per_page=100`, { json: [{ id: 3, name: 'preview', artifacts_file: { filename: 'a.zip' } }] });
    api.answer(`${project}/jobs/3/artifacts`, { zip: await archive({ 'gitops-plans/db.json': '{}' }, false) });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(await plansIn()).toEqual(['db.json']);
  });

  it("with merged results pipelines, takes the merge request's newest merged-results pipeline", async () => {
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, { json: [mergeRequest()] });
    api.answer(`${project}/merge_requests/5/pipelines?per_page=100`, {
      json: [
        { id: 902, sha: 'e'.repeat(40), ref: 'refs/merge-requests/5/merge' },
        { id: 901, sha: 'f'.repeat(40), ref: 'refs/merge-requests/5/merge' },
      ],
    });
    api.answer(`${project}/pipelines/902/jobs?per_page=100`, { json: [{ id: 4, name: 'preview', artifacts_file: { filename: 'a.zip' } }] });
    api.answer(`${project}/jobs/4/artifacts`, { zip: await archive({ 'gitops-plans/web.json': '{}' }, false) });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('pipeline 902, job 4');
    expect(await plansIn()).toEqual(['web.json']);
  });

  it('fetches nothing when the preview job has no artifacts (expired), and says so', async () => {
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, { json: [mergeRequest()] });
    api.answer(`${project}/merge_requests/5/pipelines?per_page=100`, { json: [{ id: 800, sha: head, ref: 'refs/merge-requests/5/head' }] });
    api.answer(`${project}/pipelines/800/jobs?per_page=100`, { json: [{ id: 2, name: 'preview' }] });
    const result = await run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`merge request !5 (head ${head}) has no preview job with artifacts (expired?)`);
    expect(await plansIn()).toEqual([]);
  });

  it('fetches nothing for a push that is no merge request merge; a wrong token stops the job with exit 2', async () => {
    api.answer(`${project}/repository/commits/${merged}/merge_requests`, { json: [mergeRequest({ state: 'opened' })] });
    await mkdir(path.join(job, 'gitops-plans'));
    await writeFile(path.join(job, 'gitops-plans', 'app.json'), '{"forged":true}');
    const none = await run();
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain(`no reviewed plans: ${merged} is not the merge of a merge request`);
    expect(await plansIn()).toEqual([]);
    const wrong = await runCiShell(scripts.gitlab.fetchPlans, job, { ...env(), GITOPS_GITLAB_TOKEN: 'wrong' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('cannot fetch the reviewed plans');
    expect(wrong.stderr).toContain('role Reporter or more, scope api');
    expect(`${wrong.stdout}${wrong.stderr}`).not.toContain(token);
  });
});
