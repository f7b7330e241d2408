import { describe, expect, it } from 'vitest';
import { type StackResult, skippedResult } from '../../src/engine/result.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { findCycles, topologicalWaves, withDependents } from '../../src/stacks/graph.js';

const nodes = [
  { name: 'network', dependsOn: [] },
  { name: 'db', dependsOn: ['network'] },
  { name: 'app', dependsOn: ['db', 'network'] },
  { name: 'docs', dependsOn: [] },
];

describe('stack graph', () => {
  it('orders stacks in waves after their dependencies', () => {
    expect(topologicalWaves(nodes)).toEqual([['docs', 'network'], ['db'], ['app']]);
  });

  it('finds dependents transitively', () => {
    expect([...withDependents(nodes, ['network'])].sort()).toEqual(['app', 'db', 'network']);
  });

  it('finds every cycle and reads it in order', () => {
    const cyclic = [
      { name: 'a', dependsOn: ['b'] },
      { name: 'b', dependsOn: ['a'] },
      { name: 'x', dependsOn: ['z'] },
      { name: 'y', dependsOn: ['x'] },
      { name: 'z', dependsOn: ['y'] },
      { name: 'free', dependsOn: [] },
    ];
    expect(findCycles(cyclic)).toEqual([
      ['a', 'b'],
      ['x', 'z', 'y'],
    ]);
    expect(findCycles(nodes)).toEqual([]);
  });
});

function result(name: string, status: StackResult['status']): StackResult {
  return { name, operation: 'up', status, changes: {}, resources: [], durationMs: 0 };
}

describe('scheduler', () => {
  const planned = nodes.map((n) => ({ name: n.name, after: n.dependsOn, reasons: [] }));

  it('runs dependents after what they depend on, independents in parallel', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    await schedule(
      planned,
      async (name) => {
        running++;
        peak = Math.max(peak, running);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 20));
        log.push(`end ${name}`);
        running--;
        return result(name, 'succeeded');
      },
      { skipped: (name, reason) => skippedResult(name, 'up', reason), concurrency: 4 },
    );
    expect(log.indexOf('end network')).toBeLessThan(log.indexOf('start db'));
    expect(log.indexOf('end db')).toBeLessThan(log.indexOf('start app'));
    expect(peak).toBe(2);
  });

  it('never runs more than the concurrency limit', async () => {
    let running = 0;
    let peak = 0;
    const many = Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, after: [], reasons: [] }));
    await schedule(
      many,
      async (name) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return result(name, 'succeeded');
      },
      { skipped: (name, reason) => skippedResult(name, 'up', reason), concurrency: 3 },
    );
    expect(peak).toBe(3);
  });

  it('skips the dependents of a failed stack and carries on with unrelated ones', async () => {
    const ran: string[] = [];
    const results = await schedule(
      planned,
      async (name) => {
        ran.push(name);
        return result(name, name === 'network' ? 'failed' : 'succeeded');
      },
      { skipped: (name, reason) => skippedResult(name, 'up', reason), concurrency: 1 },
    );
    expect(ran.sort()).toEqual(['docs', 'network']);
    expect(results.find((r) => r.name === 'db')).toMatchObject({ status: 'skipped', skipReason: 'depends on network, which failed' });
    expect(results.find((r) => r.name === 'app')).toMatchObject({ status: 'skipped' });
    expect(results.find((r) => r.name === 'docs')).toMatchObject({ status: 'succeeded' });
  });
});
