import { describe, expect, it } from 'vitest';
import type { StackResult } from '../../src/engine/result.js';
import { statusDescription } from '../../src/forge/status-description.js';
import { deployCommentKey } from '../../src/merge-request/report-deploy.js';
import { deployMarkdown, outcomeCounts } from '../../src/report/deploy-markdown.js';
import { commitStateOf, deployOutcomes, statusLine } from '../../src/report/deploy-outcome.js';

/** The deploy report's model and renderers: pure functions of the deploy's results. */
const r = (name: string, extra: Partial<StackResult>): StackResult => ({
  name,
  operation: 'up',
  status: 'succeeded',
  changes: {},
  resources: [],
  durationMs: 1,
  ...extra,
});

const results: StackResult[] = [
  r('net', { changes: { create: 2, same: 1 }, updateVersion: 3 }),
  r('db', { status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'quota exceeded' }, updateVersion: 9 }),
  r('app', { status: 'skipped', skipReason: 'depends on db, which failed' }),
  r('prod', { status: 'skipped', skipReason: 'deploy refused: needs 2 approvals; merge request #4 has 1' }),
  r('prod-app', { status: 'skipped', skipReason: 'depends on prod, which was skipped' }),
  r('prod-ui', { status: 'skipped', skipReason: 'depends on prod-app, which was skipped' }),
  r('old', { operation: 'destroy', changes: { delete: 4 }, updateVersion: 12 }),
  r('legacy', { operation: 'destroy', status: 'skipped', benign: true, skipReason: 'left alone: stack file deleted' }),
  r('slow', { status: 'cancelled' }),
];

describe('deploy outcomes', () => {
  it('names what happened to each stack; a stack held back by one waiting for approval waits too', () => {
    expect(deployOutcomes(results).map((o) => [o.stack, o.kind, o.updateVersion])).toEqual([
      ['net', 'deployed', 3],
      ['db', 'failed', 9],
      ['app', 'not-deployed', undefined],
      ['prod', 'waiting-approval', undefined],
      ['prod-app', 'waiting-approval', undefined],
      ['prod-ui', 'waiting-approval', undefined],
      ['old', 'destroyed', 12],
      ['legacy', 'left-alone', undefined],
      ['slow', 'cancelled', undefined],
    ]);
  });

  it('maps outcomes to commit states: success, failed, pending; nothing for a stack left alone', () => {
    expect(
      ['deployed', 'destroyed', 'failed', 'cancelled', 'not-deployed', 'waiting-approval', 'left-alone'].map((k) =>
        commitStateOf(k as never),
      ),
    ).toEqual(['success', 'success', 'failed', 'failed', 'failed', 'pending', undefined]);
  });

  it('describes a status in one line of at most 140 characters', () => {
    const [net, db] = deployOutcomes(results);
    expect(statusLine(net!)).toBe('deployed (update 3): 2 create');
    expect(statusLine(db!)).toBe('failed (update 9): quota exceeded');
    const long = statusDescription(`failed: ${'x'.repeat(300)}\nsecond line`);
    expect(long).toHaveLength(140);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toContain('\n');
  });
});

describe('the deploy comment', () => {
  it('leads with the counts, worst first, and has one row per stack', () => {
    const outcomes = deployOutcomes(results);
    expect(outcomeCounts(outcomes)).toBe(
      '1 failed, 1 cancelled, 1 not deployed, 3 waiting for approval, 1 deployed, 1 destroyed, 1 left alone',
    );
    const md = deployMarkdown({ outcomes, commit: 'a'.repeat(40), run: { id: '7', url: 'https://ci/p/7' }, limit: 65_000 });
    expect(md.split('\n')[0]).toBe(`### ❌ Deploy of \`aaaaaaaaaaaa\`: ${outcomeCounts(outcomes)}`);
    expect(md).toContain('[pipeline 7](https://ci/p/7)');
    expect(md).toContain('| `old` | 🗑️ destroyed | 12 | 4 delete |');
    expect(md).toContain('| `legacy` | ➖ left alone |  | left alone: stack file deleted |');
    expect(deployMarkdown({ outcomes: [], commit: 'a'.repeat(40), limit: 65_000 })).toContain('nothing to deploy');
  });

  it('fits the platform limit', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      r(`stack-${i}`, i === 399 ? { status: 'failed', error: { code: 'X', message: 'e'.repeat(290) } } : { changes: { update: 1 } }),
    );
    const md = deployMarkdown({ outcomes: deployOutcomes(many), commit: 'b'.repeat(40), limit: 16_000 });
    expect(md.length).toBeLessThanOrEqual(16_000);
    // The failure leads and survives the cut; the note says how many rows were left out.
    expect(md).toContain('| `stack-399` | ❌ failed |');
    expect(md).toMatch(/> \d+ more stacks left out to fit the platform's limit: the job log has them all\./);
  });

  it('keys the comment by the pipeline, else the commit', () => {
    expect(deployCommentKey({ run: { id: '123' } }, 'c'.repeat(40))).toBe('deploy:123');
    expect(deployCommentKey({ run: {} }, 'c'.repeat(40))).toBe('deploy:cccccccccccc');
  });
});
