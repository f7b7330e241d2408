import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

/**
 * In a merge request job the checkout is the merge request's: a preview without `--base` would
 * run its own packs, settings and stack environments. It is refused before anything runs; the
 * preview with `--base` checks the change against the target branch's pack on the real engine.
 */
describe('a preview in a merge request job takes its packs from the target branch', () => {
  let box: Sandbox;
  let tools: string;
  const { git, commit } = gitIn(() => box.root);
  const jobs: Record<string, Record<string, string | undefined>> = {
    gitlab: { CI_MERGE_REQUEST_IID: '7', GITHUB_EVENT_NAME: undefined },
    github: { CI_MERGE_REQUEST_IID: undefined, GITHUB_EVENT_NAME: 'pull_request' },
  };
  const run = (args: string[], job: Record<string, string | undefined>) => box.run(args, { ...job, GITOPS_TOOLS_HOME: tools });

  beforeAll(async () => {
    tools = await mkdtemp(path.join(os.tmpdir(), 'gitops-tools-'));
    box = await createSandbox({ stacks: { low: 'program: local-base\nconfig:\n  local-base:basePort: 80\n' } });
    for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json', 'index.ts']) {
      await box.write(`policies/demo/${file}`, await readFile(path.join(repoRoot, 'policies', 'demo', file), 'utf8'));
    }
    const root = await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8');
    await box.write('Pulumi.yaml', `${root}\ngitops:\n  policies:\n    demo: {}\n`);
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
    // The merge request turns the rule off and touches the stack.
    await git('checkout', '-q', '-b', 'weaken');
    await box.write('Pulumi.yaml', `${root}\ngitops:\n  policies:\n    demo:\n      enforcement:\n        unprivileged-port: disabled\n`);
    await box.write('stacks/low.yaml', 'program: local-base\nconfig:\n  local-base:basePort: 81\n');
    await commit('weaken the rule');
  });
  afterAll(async () => {
    await box?.dispose();
    if (tools) await rm(tools, { recursive: true, force: true });
  });

  it.each(Object.keys(jobs))('%s: a preview without --base is refused (exit 2) before any pack or program runs', async (forge) => {
    const r = await run(['preview', '--stack', 'low'], jobs[forge]!);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('preview without --base in a merge request job');
    expect(r.stderr).toContain('gitops preview --base');
    expect(existsSync(path.join(tools, 'policy-packs'))).toBe(false);
    expect(existsSync(path.join(box.root, '.gitops', 'workspaces'))).toBe(false);
  });

  it('outside a merge request job the same preview runs the working tree packs (the rule is off there)', async () => {
    const r = await run(['preview', '--stack', 'low'], { CI_MERGE_REQUEST_IID: undefined, GITHUB_EVENT_NAME: undefined });
    expect(r.code, r.stderr).toBe(0);
  });

  it('with --base, the target branch pack and settings fail the change', async () => {
    const r = await run(['preview', '--base', 'main', '--json'], jobs.gitlab!);
    expect(r.code, r.stderr).toBe(1);
    const low = (JSON.parse(r.stdout) as { stacks: { name: string; error?: { code: string } }[] }).stacks.find((s) => s.name === 'low');
    expect(low?.error?.code).toBe('POLICY_VIOLATION');
    expect(r.stderr).toMatch(/policy demo\/unprivileged-port \(mandatory\) on platform-settings: .*basePort 81 is below 1024/);
    expect(JSON.stringify(low)).toContain('basePort 81 is below 1024');
  });
});
