import { spawn } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The two reports the pictures show, as gitops wrote them. */
export interface DemoReports {
  /** `gitops preview --base HEAD~1 --markdown`: the merge request comment. */
  mrComment: string;
  /** `gitops drift --all --markdown`: the drift report. */
  driftReport: string;
}

/** The time shown in place of the wall clock, so a re-run gives the same picture. */
export const fixedTime = '2026-01-01T10:00:00.000Z';

/** The demo's secrets were encrypted with this passphrase (see bin/demo.js); it protects nothing. */
const demoPassphrase = 'gitops-demo';

// What the demo repository needs from this one: the two demo stacks and their programs. Nothing
// else, so the commit ids in the reports move only when the demo itself does.
const copied = [
  'Pulumi.yaml',
  'programs/local-base',
  'programs/local-site',
  'programs/shared',
  'stacks/demo-base.yaml',
  'stacks/demo-web.yaml',
];

interface Ran {
  code: number | null;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * The environment of the demo run: the caller's (PATH, HOME and the toolchain's place), without
 * anything that would point gitops at a real backend, a forge or a CI job.
 */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const keep = new Set(['GITOPS_TOOLCHAIN_HOME', 'GITOPS_TOOLS_HOME', 'GITOPS_SKIP_INSTALLER']);
  const dropped =
    /^(CI|CI_.*|GITHUB_.*|GITLAB_.*|GITOPS_.*|PULUMI_BACKEND_URL|PULUMI_CONFIG_PASSPHRASE.*|PULUMI_ACCESS_TOKEN|NO_COLOR|FORCE_COLOR)$/;
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => keep.has(k) || !dropped.test(k)));
  return {
    ...clean,
    PULUMI_CONFIG_PASSPHRASE: demoPassphrase,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
    // Git: no user or system config (signing, hooks, templates), and fixed identities and dates
    // below, so commit ids and so the reports are the same on every run.
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Demo Author',
    GIT_AUTHOR_EMAIL: 'author@example.com',
    GIT_COMMITTER_NAME: 'Demo Author',
    GIT_COMMITTER_EMAIL: 'author@example.com',
  };
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  // The demo stacks may change; an edit that silently did nothing would picture no change.
  if (!text.includes(from))
    throw new Error(`pictures: ${file} no longer contains ${JSON.stringify(from)}; update test/pictures/demo-reports.ts`);
  await writeFile(file, text.replace(from, to));
}

/** Replaces wall-clock timestamps (the drift report's "Run at") with {@link fixedTime}. */
export function fixTimestamps(markdown: string): string {
  return markdown.replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, fixedTime);
}

/**
 * Runs the demo for real in a fresh repository under `workDir` (deleted first): deploy both
 * demo stacks on the built-in local file backend, edit two managed files by hand and run
 * `gitops drift --markdown`, then commit a change to both stack files and run `gitops preview
 * --base HEAD~1 --markdown`. The gitops used is this working tree's, so the pictures show the
 * renderers as they are now. `log` gets one line per step.
 */
export async function runDemo(options: {
  repoRoot: string;
  workDir: string;
  env: NodeJS.ProcessEnv;
  /** The node binary that runs bin/gitops.js. */
  node: string;
  log: (line: string) => void;
}): Promise<DemoReports> {
  const { repoRoot, workDir, node, log } = options;
  const env = demoEnv(options.env);
  const repo = path.join(workDir, 'repo');
  const out = path.join(workDir, 'out');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  for (const p of copied) await cp(path.join(repoRoot, p), path.join(repo, p), { recursive: true });
  // The programs import @pulumi/pulumi; this repository's packages serve them.
  await symlink(path.join(repoRoot, 'node_modules'), path.join(repo, 'node_modules'), 'dir');
  await writeFile(path.join(repo, '.gitignore'), 'node_modules\n.gitops/\n');
  // A package.json of its own rather than a copy, so the commit ids in the reports do not move
  // each time this repository's dependencies do.
  await writeFile(path.join(repo, 'package.json'), `${JSON.stringify({ name: 'gitops-demo', private: true, type: 'module' }, null, 2)}\n`);

  const step = async (title: string, command: string, args: readonly string[], expected: readonly number[], date?: string) => {
    log(title);
    const ran = await run(command, args, repo, date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env);
    if (ran.code === null || !expected.includes(ran.code)) {
      const tail = ran.stderr.trim().split('\n').slice(-30).join('\n');
      throw new Error(
        `pictures: \`${[path.basename(command), ...args].join(' ')}\` in ${repo} exited ${ran.code}, expected ${expected.join(' or ')}\n${tail}`,
      );
    }
  };
  const gitops = (title: string, args: readonly string[], expected: readonly number[]) =>
    step(title, node, [path.join(repoRoot, 'bin', 'gitops.js'), ...args], expected);

  await step('git init', 'git', ['init', '--quiet', '--initial-branch=main'], [0]);
  await step('git commit (the demo stacks)', 'git', ['add', '--all'], [0]);
  await step('git commit (the demo stacks)', 'git', ['commit', '--quiet', '--message', 'Demo stacks'], [0], '2026-01-01T09:00:00Z');
  await gitops('gitops deploy --all', ['deploy', '--all'], [0]);

  // Two hand edits: demo-base's policy remediates, demo-web's only reports.
  const demo = path.join(repo, '.gitops', 'demo');
  await edit(path.join(demo, 'demo-base', 'platform.json'), '"basePort": 8080', '"basePort": 8090');
  await writeFile(path.join(demo, 'demo-web', 'server.json'), '{"listen": "0.0.0.0:9999", "replicas": 0}\n');
  const driftFile = path.join(out, 'drift-report.md');
  await gitops('gitops drift --all --markdown (after two hand edits)', ['drift', '--all', '--markdown', driftFile], [3]);

  // The merge request: a new title and replica count for the site, a new port on the platform.
  await edit(path.join(repo, 'stacks', 'demo-web.yaml'), 'title: Hello from GitOps', 'title: Hello from a merge request');
  await edit(path.join(repo, 'stacks', 'demo-web.yaml'), 'replicas: 2', 'replicas: 3');
  await edit(path.join(repo, 'stacks', 'demo-base.yaml'), 'basePort: 8080', 'basePort: 8443');
  await step(
    'git commit (the change)',
    'git',
    ['commit', '--quiet', '--all', '--message', 'New title, 3 replicas, port 8443'],
    [0],
    '2026-01-01T09:30:00Z',
  );
  const commentFile = path.join(out, 'mr-comment.md');
  await gitops('gitops preview --base HEAD~1 --markdown', ['preview', '--base', 'HEAD~1', '--markdown', commentFile], [0]);

  return {
    mrComment: fixTimestamps(await readFile(commentFile, 'utf8')),
    driftReport: fixTimestamps(await readFile(driftFile, 'utf8')),
  };
}
