import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitopsError, userError } from '../errors/gitops-error.js';
import { packageRoot } from '../init/package-root.js';
import { type InitPlan, planInit } from '../init/plan.js';
import { ciFiles, ciSetupLines, type Forge } from '../init/templates.js';

/** What `gitops init` was asked for. */
export interface InitRequest {
  /** Where the command runs: inside the git repository to set up. */
  cwd: string;
  ci?: Forge;
  name?: string;
  backend?: string;
}

/** What `gitops init` did. */
export interface InitResult {
  root: string;
  /** Files written, repository-relative. */
  written: string[];
  /** Files already there as init would write them. */
  unchanged: string[];
  /** Lines added to `.gitignore`. */
  gitignoreAdded: string[];
  /** What to do next, one line each. */
  nextSteps: string[];
}

/** The top folder of the git repository around `cwd`: the nearest folder holding `.git` (a folder, or a file in a worktree). */
export function gitTopLevel(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (dir === path.dirname(dir)) return undefined;
  }
}

function nextSteps(plan: InitPlan, request: InitRequest, template: string | undefined): string[] {
  const steps = [
    'npm install --save-dev pulumi-gitops @pulumi/pulumi@^3.248.0   (if not done yet)',
    'export PULUMI_CONFIG_PASSPHRASE=...   (the passphrase that encrypts the stacks’ secrets)',
    'npx gitops validate',
    'npx gitops preview --all',
    'npx gitops deploy --all',
    `git add ${plan.files.map((f) => f.path).join(' ')} .gitignore && git commit -m "gitops init"`,
  ];
  if (request.ci && template !== undefined) {
    steps.push(`CI (${ciFiles[request.ci]}): define these before the first pipeline runs:`);
    steps.push(...ciSetupLines(template).map((l) => `  ${l}`));
  }
  return steps;
}

/**
 * `gitops init`: writes a first stack file, a first program, the root settings, the stack
 * schema, `.gitignore` entries and (with `ci`) the pipeline for the forge, in an existing git
 * repository. Never overwrites: when a file it would write exists with other content, it
 * names every such file and writes nothing (USAGE, exit 2). A second run changes nothing.
 */
export async function initRepository(request: InitRequest): Promise<InitResult> {
  const root = gitTopLevel(request.cwd);
  if (!root) throw userError('USAGE', `${request.cwd} is not inside a git repository`, 'run git init first, then gitops init');
  const template = request.ci ? readFileSync(path.join(packageRoot(), ciFiles[request.ci]), 'utf8') : undefined;
  const plan = planInit({ root, name: request.name, backend: request.backend, ci: request.ci, ciTemplate: template });
  const clashes = plan.files.filter((f) => f.state === 'different');
  if (clashes.length > 0) {
    throw new GitopsError({
      code: 'USAGE',
      kind: 'user',
      message: `gitops init would overwrite ${clashes.length} existing file${clashes.length > 1 ? 's' : ''} in ${root}; nothing was written`,
      details: clashes.map((f) => `${f.path} exists`),
      hint: 'move them aside and run gitops init again, or add stacks/ and programs/ by hand (see docs/stacks.md and docs/programs.md of pulumi-gitops)',
    });
  }
  const written: string[] = [];
  for (const f of plan.files.filter((x) => x.state === 'absent')) {
    const file = path.join(root, f.path);
    await mkdir(path.dirname(file), { recursive: true });
    // 'wx': a file that appeared since the plan is never overwritten.
    await writeFile(file, f.text, { flag: 'wx' });
    written.push(f.path);
  }
  if (plan.gitignoreAdd.length > 0) {
    const ignore = path.join(root, '.gitignore');
    const before = existsSync(ignore) ? readFileSync(ignore, 'utf8') : '';
    const lead = before === '' || before.endsWith('\n') ? '' : '\n';
    await appendFile(ignore, `${lead}${before === '' ? '' : '\n'}# gitops\n${plan.gitignoreAdd.join('\n')}\n`);
  }
  return {
    root,
    written,
    unchanged: plan.files.filter((f) => f.state === 'same').map((f) => f.path),
    gitignoreAdded: plan.gitignoreAdd,
    nextSteps: nextSteps(plan, request, template),
  };
}
