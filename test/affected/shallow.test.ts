import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AffectedOptions, computeAffected } from '../../src/affected/affected.js';
import type { HistoryEvent } from '../../src/affected/history.js';
import type { AffectedResult } from '../../src/affected/model.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { cloneGitRepo, createGitRepo, type GitRepo, platformFiles } from '../helpers/git-repo.js';

/**
 * The CI situation: a `--depth 1` clone of a merge request branch that forked from main a
 * few commits ago, while main moved on. The merge request changes app in its first commit
 * and legacy in its third, so an answer from too short a history would miss one of them.
 */
let origin: GitRepo;
const clones: GitRepo[] = [];

beforeAll(async () => {
  origin = await createGitRepo(platformFiles());
  await origin.write({ 'docs/runbook.md': 'fork point\n' });
  await origin.commit('fork point');
  await origin.git('checkout', '--quiet', '-b', 'feature');
  await origin.write({ 'programs/app/helper.ts': 'export const helper = (n: number) => n * 2;\n' });
  await origin.commit('feature 1: app');
  await origin.write({ 'docs/feature.md': 'notes\n' });
  await origin.commit('feature 2: docs');
  await origin.write({ 'programs/legacy/index.ts': 'export default async () => ({ x: 1 });\n' });
  await origin.commit('feature 3: legacy');
  await origin.write({ 'docs/feature.md': 'more notes\n' });
  await origin.commit('feature 4: docs');
  await origin.git('checkout', '--quiet', 'main');
  for (const n of [1, 2, 3]) {
    await origin.write({ [`docs/main-${n}.md`]: `${n}\n` });
    await origin.commit(`main ${n}`);
  }
});

afterAll(async () => {
  for (const c of clones) await c.dispose();
  await origin?.dispose();
});

async function shallowClone(): Promise<GitRepo> {
  const clone = await cloneGitRepo(origin, ['--depth', '1', '--no-single-branch', '--branch', 'feature']);
  clones.push(clone);
  expect((await clone.git('rev-parse', '--is-shallow-repository')).trim()).toBe('true');
  return clone;
}

async function affected(repo: GitRepo, options: Partial<AffectedOptions> = {}): Promise<AffectedResult> {
  const layout = layoutAt(repo.dir);
  return computeAffected({ layout, catalog: await loadStacks(layout), base: 'origin/main', ...options });
}

describe('shallow clones', () => {
  it('deepens step by step until the merge-base appears, and answers as a full clone would', async () => {
    const clone = await shallowClone();
    const events: HistoryEvent[] = [];
    const r = await affected(clone, { deepenSteps: [1, 2, 1, 50], onEvent: (e) => events.push(e) });
    // Depth 1 + 1 + 2 fetches the fork point, but the feature's first commit is still a shallow
    // boundary (its parent hidden); one more commit links them. No fourth step, no unshallow.
    expect(events).toEqual([
      { type: 'deepen', by: 1 },
      { type: 'deepen', by: 2 },
      { type: 'deepen', by: 1 },
    ]);
    expect(r.stacks.map((s) => s.name)).toEqual(['app', 'legacy']);
    expect(r.mergeBase).toBe(await origin.sha('feature~4'));
    expect(r.head).toBe(await origin.sha('feature'));
    expect(r.base).toBe(await origin.sha('main'));
  });

  it('falls back to --unshallow after the last step', async () => {
    const clone = await shallowClone();
    const events: HistoryEvent[] = [];
    const r = await affected(clone, { deepenSteps: [1], onEvent: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'deepen', by: 1 }, { type: 'unshallow' }]);
    expect(r.stacks.map((s) => s.name)).toEqual(['app', 'legacy']);
    expect((await clone.git('rev-parse', '--is-shallow-repository')).trim()).toBe('false');
  });

  it('fails with HISTORY_MISSING when history cannot be fetched, never with "nothing changed"', async () => {
    const clone = await shallowClone();
    // The remote is gone (no network, no credentials): every fetch fails.
    await clone.git('remote', 'set-url', 'origin', `file://${clone.dir}/no-such-remote`);
    const err = await affected(clone).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitopsError);
    expect((err as GitopsError).code).toBe('HISTORY_MISSING');
    expect((err as GitopsError).message).toMatch(/shallow and fetching more history failed/);
    expect((err as GitopsError).hint).toContain('--all-on-missing-history');
  });

  it('treats every stack as affected when allowed to, with reason history-missing', async () => {
    const clone = await shallowClone();
    await clone.git('remote', 'set-url', 'origin', `file://${clone.dir}/no-such-remote`);
    const events: HistoryEvent[] = [];
    const r = await affected(clone, { allOnMissingHistory: true, onEvent: (e) => events.push(e) });
    expect(r.stacks.map((s) => s.name)).toEqual(['app', 'app-v2', 'database', 'legacy', 'network', 'tools']);
    expect(r.stacks.every((s) => s.action === 'update' && s.reasons[0]!.kind === 'history-missing')).toBe(true);
    expect(r.mergeBase).toBeNull();
    expect(events.map((e) => e.type)).toEqual(['deepen', 'history-missing']);
    expect(r.warnings[0]).toContain('cannot tell which stacks changed');
  });

  it('deepens to find a base commit the shallow clone does not have yet', async () => {
    const clone = await shallowClone();
    const forkPoint = await origin.sha('feature~4');
    await expect(clone.git('cat-file', '-e', `${forkPoint}^{commit}`)).rejects.toThrow();
    const r = await affected(clone, { base: forkPoint, deepenSteps: [2, 2, 2] });
    expect(r.mergeBase).toBe(forkPoint);
    expect(r.stacks.map((s) => s.name)).toEqual(['app', 'legacy']);
  });
});
