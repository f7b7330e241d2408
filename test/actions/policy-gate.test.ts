import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../../src/engine/progress.js';
import { policyEngine } from '../../src/policy/policy-engine.js';
import type { StackDefinition } from '../../src/stacks/schema.js';
import { FakeEngine } from '../helpers/fake-engine.js';

/**
 * The driver's decision around an update with policy packs, in process (the Kubernetes tier shows
 * it on the real engine): the packs see the whole preview before `up` starts.
 */
const stack = { name: 'web', project: 'app', stack: 'web', program: 'app', file: 'stacks/web.yaml' } as unknown as StackDefinition;
const packs = { packs: [{ name: 'kubernetes', dir: '/cache/packs/x', configFile: '/cache/configs/y.json' }] };
const violation = { pack: 'kubernetes', policy: 'no-privileged-containers', enforcement: 'mandatory' as const, message: 'privileged' };

function gated(fake: FakeEngine) {
  return policyEngine(fake, { runFor: (name) => (name === 'web' ? packs : undefined) });
}

describe('an update with policy packs', () => {
  it('a mandatory violation in the preview ends it before up starts: nothing changed, no resource step shown', async () => {
    const fake = new FakeEngine().script('web', 'preview', {
      status: 'failed',
      error: { code: 'POLICY_VIOLATION', message: '1 mandatory policy violation' } as never,
      changes: { create: 3 },
      resources: [{ urn: 'urn:ns', type: 'kubernetes:core/v1:Namespace', name: 'namespace', op: 'create' } as never],
      policy: { packs: [{ name: 'kubernetes' }], violations: [violation] } as never,
    });
    const events: ProgressEvent[] = [];
    const result = await gated(fake).run({ stack, operation: 'up', commit: 'c0ffee', message: 'deploy' }, (e) => events.push(e));
    expect(fake.log).toEqual(['web:preview']);
    expect(fake.calls[0]).toEqual({ stack: 'web', operation: 'preview' });
    expect(result).toMatchObject({ operation: 'up', status: 'failed', changes: {}, resources: [], error: { code: 'POLICY_VIOLATION' } });
    expect(events.map((e) => e.type)).toEqual(['stack-start', 'stack-done']);
    expect(events[0]).toMatchObject({ operation: 'up' });
  });

  it('a clean preview (or one failing for another reason) lets the update run with its plan, commit and message', async () => {
    const fake = new FakeEngine();
    const events: ProgressEvent[] = [];
    const result = await gated(fake).run({ stack, operation: 'up', commit: 'c0ffee', message: 'deploy' }, (e) => events.push(e));
    expect(fake.log).toEqual(['web:preview', 'web:up']);
    expect(fake.calls[1]).toMatchObject({ operation: 'up', commit: 'c0ffee', message: 'deploy' });
    expect(result.operation).toBe('up');
    // Only the update's own events reach the console.
    expect(events).toEqual([
      expect.objectContaining({ type: 'stack-start', operation: 'up' }),
      expect.objectContaining({ type: 'stack-done' }),
    ]);

    const broken = new FakeEngine().script('web', 'preview', { status: 'failed', error: { code: 'ENGINE', message: 'x' } as never });
    await gated(broken).run({ stack, operation: 'up' }, () => {});
    expect(broken.log).toEqual(['web:preview', 'web:up']);
  });

  it('a preview, or a stack without packs, runs once as asked', async () => {
    const fake = new FakeEngine();
    await gated(fake).run({ stack, operation: 'preview' }, () => {});
    await gated(fake).run({ stack: { ...stack, name: 'other' }, operation: 'up' }, () => {});
    expect(fake.log).toEqual(['web:preview', 'other:up']);
  });
});
