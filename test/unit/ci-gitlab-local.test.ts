import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciFilesRepo, gitlabCiLocal, runTool, type ToolRun } from '../helpers/ci-tools.js';

/** One row of `gitlab-ci-local --list-json`. */
interface ListedJob {
  name: string;
  stage: string;
  when: string;
  allow_failure: boolean | { exit_codes: number[] };
}

let repo: Awaited<ReturnType<typeof ciFilesRepo>>;
beforeAll(async () => {
  repo = await ciFilesRepo();
});
afterAll(async () => {
  await repo.dispose();
});

/** gitlab-ci-local 4.73.0 with GitLab's JSON schema, in a throwaway repository and home, with these CI variables. */
function gitlabCiLocalRun(variables: Record<string, string>): Promise<ToolRun> {
  const home = path.join(repo.root, 'home');
  // Pipeline variables such as CI_PIPELINE_SOURCE are predefined ones: say we mean to set them.
  const args = [
    gitlabCiLocal,
    '--list-json',
    '--json-schema-validation',
    '--home',
    home,
    '--ignore-predefined-vars',
    Object.keys(variables).join(','),
  ];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  return runTool(process.execPath, args, repo.root, { PATH: process.env.PATH, HOME: home });
}

/** The jobs that would run (not `when: never`) for a pipeline with these variables. */
async function jobsRunning(variables: Record<string, string>): Promise<string[]> {
  const run = await gitlabCiLocalRun(variables);
  expect(run.code, run.stderr).toBe(0);
  const jobs = JSON.parse(run.stdout) as ListedJob[];
  return jobs.filter((j) => j.when !== 'never').map((j) => `${j.stage}:${j.name}`);
}

describe('.gitlab-ci.yml under gitlab-ci-local 4.73.0', () => {
  it("passes GitLab's schema and runs only preview in a merge request pipeline", async () => {
    const mr = { CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_PROJECT_ID: '7', CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '7' };
    expect(await jobsRunning(mr)).toEqual(['.pre:toolchain', 'preview:preview']);
  });

  it('runs only the explaining job for a merge request from a fork', async () => {
    const fork = { CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_PROJECT_ID: '7', CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99' };
    expect(await jobsRunning(fork)).toEqual(['preview:preview-fork']);
  });

  it('deploys on a push to the default branch only', async () => {
    const push = { CI_PIPELINE_SOURCE: 'push', CI_DEFAULT_BRANCH: 'main' };
    // deploy-unbound is the manual break-glass deploy: listed, started only by hand.
    expect(await jobsRunning({ ...push, CI_COMMIT_BRANCH: 'main' })).toEqual(['.pre:toolchain', 'deploy:deploy', 'deploy:deploy-unbound']);
    expect(await jobsRunning({ ...push, CI_COMMIT_BRANCH: 'feature' })).toEqual([]);
  });

  it('runs four drift shards on a schedule, each allowed to end with exit 3', async () => {
    const run = await gitlabCiLocalRun({ CI_PIPELINE_SOURCE: 'schedule' });
    expect(run.code, run.stderr).toBe(0);
    const drift = (JSON.parse(run.stdout) as ListedJob[]).filter((j) => j.stage === 'drift');
    expect(drift.map((j) => [j.name, j.when, j.allow_failure])).toEqual(
      [1, 2, 3, 4].map((i) => [`drift: [${i}/4]`, 'on_success', { exit_codes: [3] }]),
    );
  });

  it('rejects a template that breaks the schema (the check is live)', async () => {
    const file = path.join(repo.root, '.gitlab-ci.yml');
    const good = await readFile(file, 'utf8');
    try {
      await writeFile(file, good.replace('  artifacts:\n    when: always\n', '  artifacts:\n    when: sometimes\n'));
      const run = await gitlabCiLocalRun({ CI_PIPELINE_SOURCE: 'schedule' });
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}${run.stderr}`).toContain('(found sometimes) at preview.artifacts.when');
    } finally {
      await writeFile(file, good);
    }
  });
});
