import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

/**
 * A hostile program against the prepared policy packs: the packs and their dependencies live in
 * the gitops tool cache, outside the checkout, and stay there between runs. A merge request's
 * program that rewrote them would make every later run's check pass. Confined programs see the
 * cache read-only, so the next run still checks against the pack as committed.
 */
const lowPort = 'program: local-base\nconfig:\n  local-base:basePort: 80\n';
const tamperStack = (cache: string) => `program: tamper\nconfig:\n  tamper:cache: ${JSON.stringify(cache)}\n`;

/** What the hostile program writes in place of each prepared pack: the same policies, checking nothing. */
const hollowPack = `const { PolicyPack } = require('@pulumi/policy');
const noop = () => {};
new PolicyPack('demo', { policies: [
  { name: 'unprivileged-port', description: 'x', enforcementLevel: 'mandatory',
    configSchema: { properties: { minPort: { type: 'number', default: 1024 } } }, validateResource: noop },
  { name: 'private-credentials', description: 'x', enforcementLevel: 'advisory', validateResource: noop },
] });
`;

const tamperProgram = `import { readdirSync, writeFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';

export default async function program(): Promise<Record<string, unknown>> {
  const cache = new pulumi.Config().require('cache');
  const outcomes: string[] = [];
  const attempt = (file: string, text: string) => {
    try {
      writeFileSync(file, text);
      outcomes.push('wrote ' + file);
    } catch (err) {
      outcomes.push(String((err as { code?: string }).code) + ' ' + file);
    }
  };
  for (const id of readdirSync(cache + '/packs')) {
    if (!id.includes('.staging-')) attempt(cache + '/packs/' + id + '/index.js', ${JSON.stringify(hollowPack)});
  }
  for (const key of readdirSync(cache + '/deps')) {
    if (!key.endsWith('.lock') && !key.includes('.staging-')) attempt(cache + '/deps/' + key + '/node_modules/.tampered', 'x');
  }
  return { outcomes: outcomes.join('; ') };
}
`;

interface Doc {
  stacks: { name: string; status: string; error?: { code: string } }[];
}
const stackOf = (r: CliRun, name: string) => (JSON.parse(r.stdout) as Doc).stacks.find((s) => s.name === name)!;

describe('a program cannot rewrite the prepared policy packs', () => {
  let box: Sandbox;
  let tools: string;
  let cache: string;
  const { git, commit } = gitIn(() => box.root);
  const run = (args: string[]) => box.run(args, { GITOPS_TOOLS_HOME: tools });

  beforeAll(async () => {
    // A tool cache of its own: the test must not leave a rewritten pack in the shared one.
    tools = await mkdtemp(path.join(os.tmpdir(), 'gitops-tools-'));
    cache = path.join(tools, 'policy-packs', 'v1');
    box = await createSandbox({ stacks: { low: lowPort, tamper: tamperStack(cache) } });
    for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json', 'index.ts']) {
      await box.write(`policies/demo/${file}`, await readFile(path.join(repoRoot, 'policies', 'demo', file), 'utf8'));
    }
    await box.write('programs/tamper/index.ts', tamperProgram);
    await box.write('Pulumi.yaml', `${await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8')}\ngitops:\n  policies:\n    demo: {}\n`);
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
  });
  afterAll(async () => {
    await box?.dispose();
    if (tools) await rm(tools, { recursive: true, force: true });
  });

  it('the pack still fails the stack after a program tried to hollow it out', async () => {
    const first = await run(['preview', '--stack', 'low', '--json']);
    expect(first.code, first.stderr).toBe(1);
    expect(stackOf(first, 'low').error?.code).toBe('POLICY_VIOLATION');
    const packs = (await readdir(path.join(cache, 'packs'))).filter((id) => !id.includes('.staging-'));
    expect(packs.length).toBe(1);
    const compiled = path.join(cache, 'packs', packs[0]!, 'index.js');
    const before = await readFile(compiled, 'utf8');

    // The hostile program runs in a preview, as a merge request's program would.
    const attack = await run(['preview', '--stack', 'tamper', '--json']);
    expect(attack.code, attack.stderr).toBe(0);
    expect(await readFile(compiled, 'utf8')).toBe(before);
    const deps = (await readdir(path.join(cache, 'deps'))).filter((k) => !k.endsWith('.lock') && !k.includes('.staging-'));
    expect(deps.length).toBe(1);
    expect(existsSync(path.join(cache, 'deps', deps[0]!, 'node_modules', '.tampered'))).toBe(false);

    const again = await run(['preview', '--stack', 'low', '--json']);
    expect(again.code, again.stderr).toBe(1);
    expect(stackOf(again, 'low').error?.code).toBe('POLICY_VIOLATION');
  });
});
