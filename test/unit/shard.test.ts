import { describe, expect, it } from 'vitest';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { parseShard } from '../../src/lib/shard-spec.js';
import { shardStacks } from '../../src/schedule/shard.js';

const nodes = [
  { name: 'net', dependsOn: [] },
  { name: 'db', dependsOn: ['net'] },
  { name: 'app', dependsOn: ['db'] },
  ...Array.from({ length: 7 }, (_, i) => ({ name: `solo-${i}`, dependsOn: [] })),
];
const names = nodes.map((n) => n.name);

describe('sharding', () => {
  it('covers every stack exactly once across the shards', () => {
    for (const count of [1, 2, 3, 4, 10]) {
      const all = Array.from({ length: count }, (_, i) => shardStacks(nodes, names, { index: i + 1, count })).flat();
      expect(all.sort()).toEqual([...names].sort());
    }
  });

  it('keeps stacks linked by dependsOn in one shard', () => {
    for (let i = 1; i <= 4; i++) {
      const shard = shardStacks(nodes, names, { index: i, count: 4 });
      const linked = ['net', 'db', 'app'].filter((n) => shard.includes(n));
      expect([0, 3]).toContain(linked.length);
    }
  });

  it('balances the load', () => {
    const sizes = [1, 2, 3].map((i) => shardStacks(nodes, names, { index: i, count: 3 }).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('rejects a malformed --shard', () => {
    for (const bad of ['0/2', '3/2', 'x', '1/0']) {
      expect(() => parseShard(bad)).toThrow(GitopsError);
    }
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });
});
