import { describe, expect, it } from 'vitest';
import { PolicyCollector } from '../../src/engine/policy-result.js';
import type { StackResult } from '../../src/engine/result.js';
import { packConfig } from '../../src/policy/pack-config.js';
import { lockKey } from '../../src/policy/pack-deps.js';
import { packsForStack } from '../../src/policy/select.js';
import { parsePolicySettings } from '../../src/policy/settings.js';
import { policyMarkdown } from '../../src/report/policy-markdown.js';

const yaml = (body: string) => `name: repo\nruntime: nodejs\ngitops:\n  policies:\n${body}`;

describe('policy settings in the root Pulumi.yaml', () => {
  it('reads packs, stacks, enforcement and config', () => {
    const { settings, problems } = parsePolicySettings(
      yaml(
        '    demo:\n      stacks: [demo-*, prod]\n      enforcement:\n        port: advisory\n      config:\n        port: { minPort: 2000 }\n    kubernetes: {}\n',
      ),
      'Pulumi.yaml',
    );
    expect(problems).toEqual([]);
    const stack = (name: string) => ({ name, labels: [] });
    expect(packsForStack(settings, stack('demo-web'))).toEqual(['demo', 'kubernetes']);
    expect(packsForStack(settings, stack('prod'))).toEqual(['demo', 'kubernetes']);
    expect(packsForStack(settings, stack('other'))).toEqual(['kubernetes']);
  });

  it('reports every problem, naming the file and the field', () => {
    const { problems } = parsePolicySettings(
      yaml('    demo:\n      enforcement:\n        port: strict\n      stack: all\n    Bad_Name: {}\n'),
      'Pulumi.yaml',
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.demo\.enforcement\.port: /),
        expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.demo: .*stack/),
        expect.stringMatching(/^Pulumi\.yaml: gitops\.policies\.Bad_Name: /),
      ]),
    );
  });

  it('no settings: no packs, and the file is not even parsed', () => {
    expect(parsePolicySettings('name: repo\n', 'Pulumi.yaml').settings.packs.size).toBe(0);
    expect(parsePolicySettings(undefined, 'Pulumi.yaml').problems).toEqual([]);
  });
});

describe('pack config', () => {
  const rule = {
    stacks: 'all' as const,
    enforcement: { port: 'mandatory' as const, creds: 'disabled' as const },
    config: { port: { minPort: 2000 } },
  };

  it('in force: the levels and properties as Pulumi reads them', () => {
    expect(packConfig(rule)).toEqual({ creds: { enforcementLevel: 'disabled' }, port: { minPort: 2000, enforcementLevel: 'mandatory' } });
  });

  it('proposed: nothing can fail (mandatory becomes advisory, all others advisory), disabled stays off', () => {
    expect(packConfig(rule, true)).toEqual({
      all: 'advisory',
      creds: { enforcementLevel: 'disabled' },
      port: { minPort: 2000, enforcementLevel: 'advisory' },
    });
  });
});

describe('dependencies keyed by the lockfile content', () => {
  it('packs pinning the same dependencies share one install, whatever their own name', () => {
    const lock = (name: string, policy: string) =>
      JSON.stringify({
        name,
        lockfileVersion: 3,
        packages: { '': { name, version: '1.0.0' }, 'node_modules/@pulumi/policy': { version: policy } },
      });
    expect(lockKey(lock('a', '1.21.0'))).toBe(lockKey(lock('b', '1.21.0')));
    expect(lockKey(lock('a', '1.21.0'))).not.toBe(lockKey(lock('a', '1.20.0')));
  });
});

describe('violations from engine events', () => {
  const run = {
    packs: [
      { name: 'demo', dir: '/p/demo', configFile: '/c.json' },
      { name: 'extra', dir: '/p/extra', configFile: '/d.json', advisoryOnly: true },
    ],
  };
  const event = (pack: string, level: 'mandatory' | 'warning', message = 'basePort 80 is below 1024 (token s3cr3t)') => ({
    sequence: 1,
    timestamp: 1,
    policyEvent: {
      resourceUrn: 'urn:pulumi:low::local-base::pulumi-nodejs:dynamic:Resource::platform-settings',
      message,
      color: 'never',
      policyName: 'unprivileged-port',
      policyPackName: pack,
      policyPackVersion: '0.1.0',
      policyPackVersionTag: '0.1.0',
      enforcementLevel: level,
    },
  });

  it('each once, redacted, the proposed pack marked; advisory is what Pulumi calls warning', () => {
    const c = new PolicyCollector(run, (t) => t.replaceAll('s3cr3t', '[secret]'));
    expect(c.collect(event('demo', 'mandatory'))?.message).toBe('basePort 80 is below 1024 (token [secret])');
    expect(c.collect(event('demo', 'mandatory'))).toBeUndefined();
    expect(c.collect(event('extra', 'warning'))).toMatchObject({ pack: 'extra', enforcement: 'advisory', proposed: true });
    expect(c.collect({ sequence: 2, timestamp: 2 })).toBeUndefined();
    expect(c.outcome().packs).toEqual([{ name: 'demo' }, { name: 'extra', proposed: true }]);
    expect(c.outcome().violations).toHaveLength(2);
  });

  it('the comment: ❌ for a mandatory violation in force, ⚠️ for advisory, ✅ for none, and the pack changes', () => {
    const c = new PolicyCollector(run, (t) => t);
    c.collect(event('demo', 'mandatory'));
    c.collect(event('extra', 'warning', 'would fail after the merge'));
    const result = (name: string, policy: StackResult['policy'], status: StackResult['status']): StackResult => ({
      name,
      operation: 'preview',
      status,
      changes: {},
      resources: [],
      durationMs: 1,
      policy,
      ...(status === 'failed' ? { error: { code: 'POLICY_VIOLATION', message: 'x' } } : {}),
    });
    const md = policyMarkdown(
      [result('low', c.outcome(), 'failed'), result('good', { packs: [{ name: 'demo' }], violations: [] }, 'succeeded')],
      (t) => t.replaceAll('1024', '[secret]'),
      [{ pack: 'extra', change: 'added' }],
    );
    expect(md).toContain('| low | `demo` | ❌ 1 violation |');
    expect(md).toContain('| low | `extra` (new in this change: advisory until merged) | ⚠️ 1 violation |');
    expect(md).toContain('| good | `demo` | ✅ no violations |');
    expect(md).toContain('| low | `demo` / `unprivileged-port` | ❌ mandatory | `platform-settings` | basePort 80 is below [secret]');
    expect(md).toContain('- `extra`: added');
  });
});
