import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Real git repositories in temporary folders, for tests and benchmarks. Git runs with a
 * fixed identity and without the user's or the system's configuration, so results do not
 * depend on the machine.
 */
export const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_TERMINAL_PROMPT: '0',
};

/** Runs git in `cwd`; rejects with git's stderr when it fails. */
export function runGit(cwd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...args], { cwd, env: gitEnv, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')} failed in ${cwd}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Writes files (repository-relative paths) synchronously: fast for thousands of small files. */
export function writeTree(root: string, files: Readonly<Record<string, string>>): void {
  const made = new Set<string>();
  for (const [rel, text] of Object.entries(files)) {
    const dir = path.dirname(path.join(root, rel));
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(path.join(root, rel), text);
  }
}

export interface GitRepo {
  dir: string;
  git(...args: string[]): Promise<string>;
  write(files: Readonly<Record<string, string>>): Promise<void>;
  remove(...paths: string[]): Promise<void>;
  /** Stages everything and commits; returns the new commit's sha. */
  commit(message: string): Promise<string>;
  /** The commit a ref points at. */
  sha(ref?: string): Promise<string>;
  dispose(): Promise<void>;
}

function wrap(dir: string, owned: string): GitRepo {
  const git = (...args: string[]) => runGit(dir, args);
  const sha = async (ref = 'HEAD') => (await git('rev-parse', `${ref}^{commit}`)).trim();
  return {
    dir,
    git,
    sha,
    write: async (files) => writeTree(dir, files),
    remove: async (...paths) => {
      for (const p of paths) await rm(path.join(dir, p), { recursive: true, force: true });
    },
    commit: async (message) => {
      await git('add', '-A');
      await git('commit', '--quiet', '--allow-empty', '-m', message);
      return sha();
    },
    dispose: () => rm(owned, { recursive: true, force: true }),
  };
}

/** A new repository on branch `main`, with `files` committed as its first commit (when given). */
export async function createGitRepo(files?: Readonly<Record<string, string>>): Promise<GitRepo> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-git-'));
  await runGit(dir, ['init', '--quiet', '--initial-branch=main']);
  const repo = wrap(dir, dir);
  if (files) {
    await repo.write(files);
    await repo.commit('initial');
  }
  return repo;
}

/**
 * Clones `source` through a `file://` URL, so `--depth` makes a real shallow clone (a plain
 * path would copy the objects and ignore it). `args` go to `git clone`, e.g. `--depth 1`.
 */
export async function cloneGitRepo(source: GitRepo, args: readonly string[] = []): Promise<GitRepo> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'gitops-clone-'));
  const dir = path.join(parent, 'clone');
  await runGit(parent, ['clone', '--quiet', ...args, `file://${source.dir}`, dir]);
  return wrap(dir, parent);
}

/** A stack file's text. */
export function stackYaml(
  program: string,
  extra: { dependsOn?: string[]; allowDestroy?: boolean; project?: string; stack?: string } = {},
): string {
  const lines = [`program: ${program}`];
  if (extra.project) lines.push(`project: ${extra.project}`);
  if (extra.stack) lines.push(`stack: ${extra.stack}`);
  if (extra.dependsOn?.length) lines.push(`dependsOn: [${extra.dependsOn.join(', ')}]`);
  if (extra.allowDestroy !== undefined) lines.push(`allowDestroy: ${extra.allowDestroy}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Scenario "platform": a GitOps repository whose programs reach shared code in every way
 * the import graph follows.
 * - network imports `../shared/tags.js`, which re-exports `./tags-impl.js` (.js -> .ts, re-export);
 * - database imports `../../lib/naming` (extensionless folder -> index.ts, which `export *`s format.ts);
 * - app imports its own helper and a type from `../shared/types.js`; app-v2 sits next to it (segments);
 * - tools loads `../shared/lazy.js` with a dynamic import();
 * - database depends on network, app on database; legacy may be destroyed.
 */
export function platformFiles(): Record<string, string> {
  return {
    'Pulumi.yaml': 'name: platform\nruntime: nodejs\n',
    'package.json': '{"type":"module","private":true}\n',
    'package-lock.json': '{"lockfileVersion":3}\n',
    'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
    'README.md': '# platform\n',
    'docs/runbook.md': 'how to\n',
    'stacks/network.yaml': stackYaml('network'),
    'stacks/database.yaml': stackYaml('database', { dependsOn: ['network'] }),
    'stacks/app.yaml': stackYaml('app', { dependsOn: ['database'] }),
    'stacks/app-v2.yaml': stackYaml('app-v2'),
    'stacks/legacy.yaml': stackYaml('legacy', { allowDestroy: true }),
    'stacks/tools.yaml': stackYaml('tools'),
    'stacks/stack.schema.json': '{}\n',
    'programs/network/index.ts':
      "import * as pulumi from '@pulumi/pulumi';\nimport { tag } from '../shared/tags.js';\nexport default async () => ({ tag: tag('net'), stack: pulumi.getStack() });\n",
    'programs/database/index.ts': "import { name } from '../../lib/naming';\nexport default async () => ({ db: name('db') });\n",
    'programs/app/index.ts':
      "import type { Options } from '../shared/types.js';\nimport { helper } from './helper.js';\nconst o: Options = { size: 1 };\nexport default async () => ({ v: helper(o.size) });\n",
    'programs/app/helper.ts': 'export const helper = (n: number) => n + 1;\n',
    'programs/app-v2/index.ts': 'export default async () => ({ v: 2 });\n',
    'programs/legacy/index.ts': 'export default async () => ({});\n',
    'programs/tools/index.ts':
      "export default async () => {\n  const lazy = await import('../shared/lazy.js');\n  return { v: lazy.value };\n};\n",
    'programs/shared/tags.ts': "export { tag } from './tags-impl.js';\n",
    'programs/shared/tags-impl.ts': 'export const tag = (s: string) => `team-${s}`;\n',
    'programs/shared/types.ts': 'export interface Options { size: number }\n',
    'programs/shared/lazy.ts': 'export const value = 42;\n',
    'programs/shared/unused.ts': 'export const nobody = 0;\n',
    'lib/naming/index.ts': "export * from './format.js';\n",
    'lib/naming/format.ts': 'export const name = (s: string) => `p-${s}`;\n',
  };
}

/** git in a test repository whose folder is known only later (a sandbox made in beforeAll): run, resolve a ref, commit everything. */
export function gitIn(root: () => string): {
  git: (...args: string[]) => Promise<string>;
  sha: (ref?: string) => Promise<string>;
  commit: (message: string) => Promise<string>;
} {
  const git = (...args: string[]): Promise<string> => runGit(root(), args);
  const sha = async (ref = 'HEAD'): Promise<string> => (await git('rev-parse', ref)).trim();
  const commit = async (message: string): Promise<string> => {
    await git('add', '-A');
    await git('commit', '-q', '-m', message);
    return sha();
  };
  return { git, sha, commit };
}
