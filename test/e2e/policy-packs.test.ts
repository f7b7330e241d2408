import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitIn } from '../helpers/git-repo.js';
import { type CliRun, createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';

/**
 * Policy packs on the real engine: the repository's own demo pack (@pulumi/policy, its
 * dependencies installed from its lockfile), checked on preview and deploy, taken from the
 * protected side in a merge request preview; a pack that throws or cannot install is a clear
 * error naming it (exit 2).
 */
const stack = (port: number) => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n`;
const settings = (extra = '') => `\ngitops:\n  policies:\n    demo:\n      stacks: all\n${extra}`;

interface Doc {
  stacks: {
    name: string;
    status: string;
    error?: { code: string; message: string };
    policy?: {
      packs: { name: string; proposed?: boolean }[];
      violations: { pack: string; policy: string; enforcement: string; urn?: string; message: string; proposed?: boolean }[];
    };
  }[];
}
const stackOf = (r: CliRun, name: string) => (JSON.parse(r.stdout) as Doc).stacks.find((s) => s.name === name)!;

async function copyPack(box: Sandbox, pack: string): Promise<void> {
  for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json', 'index.ts']) {
    await box.write(`policies/${pack}/${file}`, await readFile(path.join(repoRoot, 'policies', pack, file), 'utf8'));
  }
}

describe('policy packs on the real engine', () => {
  let box: Sandbox;
  const { git, commit } = gitIn(() => box.root);
  const deployed = (name: string) => existsSync(path.join(box.root, '.gitops', 'demo', name, 'platform.json'));

  beforeAll(async () => {
    box = await createSandbox({ stacks: { good: stack(8080), low: stack(80) } });
    await copyPack(box, 'demo');
    await box.write('Pulumi.yaml', (await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8')) + settings());
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await git('init', '-q', '-b', 'main');
    await commit('initial');
  });
  afterAll(async () => {
    await box?.dispose();
  });

  it('a compliant preview passes and lists the pack; a mandatory violation fails it, shown once', async () => {
    const r = await box.run(['preview', '--stack', 'good', '--stack', 'low', '--json']);
    expect(r.code, r.stderr).toBe(1);
    const good = stackOf(r, 'good');
    expect(good.status).toBe('succeeded');
    expect(good.policy).toEqual({ packs: [{ name: 'demo' }], violations: [] });
    const low = stackOf(r, 'low');
    expect(low.status).toBe('failed');
    expect(low.error?.code).toBe('POLICY_VIOLATION');
    expect(low.policy?.violations).toEqual([
      expect.objectContaining({
        pack: 'demo',
        policy: 'unprivileged-port',
        enforcement: 'mandatory',
        message: expect.stringContaining('basePort 80 is below 1024'),
      }),
    ]);
    expect(low.policy?.violations[0]?.urn).toContain('platform-settings');
    expect(r.stderr.match(/policy demo\/unprivileged-port \(mandatory\) on platform-settings/g)?.length).toBe(1);
  });

  it('a mandatory violation fails the deploy and nothing is changed; the compliant stack deploys', async () => {
    const r = await box.run(['deploy', '--stack', 'good', '--stack', 'low', '--json']);
    expect(r.code, r.stderr).toBe(1);
    expect(stackOf(r, 'low').error?.code).toBe('POLICY_VIOLATION');
    expect(deployed('low')).toBe(false);
    expect(deployed('good')).toBe(true);
  });

  it('an advisory level from the settings reports the violation without failing', async () => {
    await box.write('Pulumi.yaml', `${await git('show', 'HEAD:Pulumi.yaml')}      enforcement:\n        unprivileged-port: advisory\n`);
    try {
      const r = await box.run(['preview', '--stack', 'low', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(stackOf(r, 'low').policy?.violations).toEqual([
        expect.objectContaining({ policy: 'unprivileged-port', enforcement: 'advisory' }),
      ]);
    } finally {
      await git('checkout', '--', 'Pulumi.yaml');
    }
  });

  it('a drift check reports a live resource that violates a mandatory policy', async () => {
    const live = path.join(box.root, '.gitops', 'demo', 'good', 'platform.json');
    await writeFile(live, '{"hostname": "localhost", "basePort": 79}\n');
    const r = await box.run(['drift', '--stack', 'good', '--detect-only', '--json']);
    expect(r.code, r.stderr).toBe(3);
    const good = (JSON.parse(r.stdout) as { stacks: { name: string; action: string; policyChecks?: Doc['stacks'][number]['policy'] }[] })
      .stacks[0]!;
    expect(good.action).toBe('reported');
    expect(good.policyChecks?.violations).toEqual([
      expect.objectContaining({
        pack: 'demo',
        policy: 'unprivileged-port',
        enforcement: 'mandatory',
        message: expect.stringContaining('basePort 79'),
      }),
    ]);
    expect(r.stderr.match(/live: policy demo\/unprivileged-port \(mandatory\) on platform-settings/g)?.length).toBe(1);
  });

  it('a merge request that disables the policy is still checked against the base pack; its new pack only advises', async () => {
    await git('checkout', '-q', '-b', 'weaken');
    await box.write(
      'Pulumi.yaml',
      (await git('show', 'main:Pulumi.yaml')) +
        '      enforcement:\n        unprivileged-port: disabled\n    extra:\n      stacks: [low]\n',
    );
    await box.write('policies/demo/index.ts', 'export {};\n');
    await copyPack(box, 'demo');
    const extra = (await readFile(path.join(repoRoot, 'policies', 'demo', 'index.ts'), 'utf8')).replace(
      "new PolicyPack('demo'",
      "new PolicyPack('extra'",
    );
    for (const f of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json'])
      await box.write(`policies/extra/${f}`, await readFile(path.join(box.root, 'policies', 'demo', f), 'utf8'));
    await box.write(
      'policies/extra/PulumiPolicy.yaml',
      (await readFile(path.join(box.root, 'policies', 'demo', 'PulumiPolicy.yaml'), 'utf8')).replace('name: demo', 'name: extra'),
    );
    await box.write('policies/extra/index.ts', extra);
    await box.write('stacks/low.yaml', `${stack(81)}description: weakened\n`);
    await commit('weaken the rules');
    try {
      const r = await box.run(['preview', '--base', 'main', '--json', '--markdown', path.join(box.root, '.gitops', 'comment.md')]);
      expect(r.code, r.stderr).toBe(1);
      const low = stackOf(r, 'low');
      expect(low.error?.code).toBe('POLICY_VIOLATION');
      expect(low.policy?.packs).toEqual([{ name: 'demo' }, { name: 'extra', proposed: true }]);
      expect(low.policy?.violations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ pack: 'demo', policy: 'unprivileged-port', enforcement: 'mandatory' }),
          expect.objectContaining({ pack: 'extra', policy: 'unprivileged-port', enforcement: 'advisory', proposed: true }),
        ]),
      );
      // The comment: the verdict in the summary, each pack's mark, each violation, and the packs the change edits.
      const comment = await readFile(path.join(box.root, '.gitops', 'comment.md'), 'utf8');
      expect(comment).toContain('**❌ A mandatory policy fails for `low`');
      expect(comment).toContain('| low | `demo` | ❌ 1 violation |');
      expect(comment).toContain('| low | `extra` (new in this change: advisory until merged) | ⚠️ 1 violation |');
      expect(comment).toMatch(
        /\| low \| `demo` \/ `unprivileged-port` \| ❌ mandatory \| `platform-settings` \| .*basePort 81 is below 1024/,
      );
      expect(comment).toContain('- `demo`: settings changed');
      expect(comment).toContain('- `extra`: added');
    } finally {
      await git('checkout', '-q', 'main');
    }
  });

  it('validate names a bad policy setting and a pack folder that is missing: exit 2', async () => {
    await box.write(
      'Pulumi.yaml',
      `${await git('show', 'HEAD:Pulumi.yaml')}      enforcement:\n        unprivileged-port: strict\n    ghost: {}\n`,
    );
    try {
      const r = await box.run(['validate']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('Pulumi.yaml: gitops.policies.demo.enforcement.unprivileged-port:');
      const missing = await box.run(['preview', '--stack', 'good']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('invalid policy settings in Pulumi.yaml');
    } finally {
      await git('checkout', '--', 'Pulumi.yaml');
    }
    await box.write('Pulumi.yaml', `${await git('show', 'HEAD:Pulumi.yaml')}    ghost: {}\n`);
    try {
      const r = await box.run(['validate']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('Pulumi.yaml: gitops.policies.ghost: policy pack ghost: policies/ghost/ does not exist');
    } finally {
      await git('checkout', '--', 'Pulumi.yaml');
    }
  });

  it('a pack that throws: exit 2, the error names the pack', async () => {
    await git('checkout', '-q', '-b', 'boom');
    await box.write('policies/demo/index.ts', "throw new Error('the pack is broken on purpose');\n");
    await commit('a broken pack');
    try {
      const r = await box.run(['preview', '--stack', 'good', '--json']);
      expect(r.code, r.stderr).toBe(2);
      expect(stackOf(r, 'good').error?.code).toBe('POLICY_PACK');
      expect(r.stderr).toContain('policy pack demo');
      expect(stackOf(r, 'good').error?.message).toContain('the pack is broken on purpose');
    } finally {
      await git('checkout', '-q', 'main');
    }
  });

  it('a pack without a lockfile: exit 2 naming the pack, nothing runs', async () => {
    await git('checkout', '-q', '-b', 'nolock');
    await box.remove('policies/demo/package-lock.json');
    await commit('no lockfile');
    try {
      const r = await box.run(['deploy', '--stack', 'good']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('policy pack demo: policies/demo/package-lock.json is missing');
    } finally {
      await git('checkout', '-q', 'main');
    }
  });

  it('drift remediation is checked against the packs in force: a stricter pack blocks it and the live resource stays', async () => {
    const live = path.join(box.root, '.gitops', 'demo', 'good', 'platform.json');
    await writeFile(live, '{"hostname": "localhost", "basePort": 8181}\n');
    // The pack got stricter after `good` was deployed at 8080 (a pack is no input of the stack,
    // so this is no undeployed change of it): remediating would write a violation.
    const pack = await readFile(path.join(box.root, 'policies/demo/index.ts'), 'utf8');
    expect(pack).toContain('default: 1024');
    await box.write('policies/demo/index.ts', pack.replace('default: 1024', 'default: 9000'));
    await commit('stricter ports');
    try {
      const r = await box.run(['drift', '--stack', 'good', '--remediate', '--json']);
      const good = (JSON.parse(r.stdout) as { stacks: { name: string; status: string; error?: { code: string } }[] }).stacks[0]!;
      expect(r.code, r.stderr).toBe(1);
      expect(good.status).toBe('failed');
      expect(good.error?.code).toBe('POLICY_VIOLATION');
      expect(r.stderr).toContain('basePort 8080 is below 9000');
      expect(r.stderr).toContain('nothing was changed');
      expect(await readFile(live, 'utf8')).toContain('8181');
    } finally {
      await git('reset', '-q', '--hard', 'HEAD~1');
    }
  });
});
