import { describe, expect, it } from 'vitest';
import type { RunRequest } from '../../src/engine/engine.js';
import { recordsOnce } from '../../src/engine/records-once.js';
import { GitopsError } from '../../src/errors/gitops-error.js';
import { FakeEngine } from '../helpers/fake-engine.js';

/**
 * The run-scoped record read drift shares between its checks: prefetched in one batch, each
 * stack read once whoever asks, read again only for more than was read. The wire count on a
 * real S3 store is in test/e2e/s3-drift-record-reads.test.ts.
 */
const def = (name: string) => ({ name }) as RunRequest['stack'];

describe('deploy records read once per run', () => {
  it('prefetches the stacks in one batch; the guard and the pending check take theirs from it', async () => {
    const fake = new FakeEngine();
    fake.lastDeployed.set('web', 'abc');
    const engine = recordsOnce(fake, { latestUpdate: false }, [def('web'), def('api')]);
    expect(await engine.lastDeployedCommit(def('web'))).toBe('abc');
    expect(await engine.lastDeployedCommit(def('web'))).toBe('abc');
    const records = await engine.deployRecords([def('web'), def('api')], { latestUpdate: false });
    expect(records.get('web')).toEqual({ ok: true, deployedCommit: 'abc' });
    expect(records.get('api')).toEqual({ ok: true });
    expect(fake.historyReads).toEqual(['web', 'api']);
    // A stack outside the prefetch is read when first asked, then held too.
    expect(await engine.lastDeployedCommit(def('db'))).toBeUndefined();
    await engine.deployRecords([def('db')], { latestUpdate: false });
    expect(fake.historyReads).toEqual(['web', 'api', 'db']);
  });

  it('reads again only for more than it read (the newest update); a record that cannot be read is the check error', async () => {
    const fake = new FakeEngine();
    const engine = recordsOnce(fake, { latestUpdate: false }, [def('web')]);
    await engine.deployRecords([def('web')], { latestUpdate: false });
    await engine.deployRecords([def('web')]);
    await engine.deployRecords([def('web')]);
    expect(fake.historyReads).toEqual(['web', 'web']);
    const error = new GitopsError({ code: 'ENGINE_ERROR', kind: 'external', message: 'stack bad: its state file cannot be read' });
    fake.records.set('bad', { ok: false, error });
    await expect(engine.lastDeployedCommit(def('bad'))).rejects.toBe(error);
  });
});
