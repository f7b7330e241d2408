import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertKind, DriftReport } from '../../src/api/drift-report.js';
import { alertFor } from '../../src/drift/alerts.js';
import { FileDriftHistoryStore } from '../../src/drift/history-store.js';
import { stackRunRecords } from '../../src/drift/run-record.js';
import { pastOf, readRuns, writeRuns } from '../../src/drift/stored-history.js';

const change = (live: string) => ({
  urn: 'urn:pulumi:prod::demo::demo:LocalFile::settings',
  type: 'demo:LocalFile',
  name: 'settings',
  op: 'update',
  changedProperties: ['content'],
  properties: [{ path: 'content', kind: 'update', old: 'a', new: live }],
});
const report = (name: string, live?: string): DriftReport => ({
  name,
  status: 'succeeded',
  policy: 'detect',
  drifted: live === undefined ? [] : [change(live)],
  deleted: [],
  managedElsewhere: [],
  unchanged: 1,
  action: live === undefined ? 'none' : 'reported',
  durationMs: 1,
});

describe('one alert per drift', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  const store = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drift-history-'));
    dirs.push(dir);
    return new FileDriftHistoryStore(dir);
  };

  /** One scheduled run over `reports`: the alerts it sends, then its records, as the drift action keeps them. */
  async function run(
    s: FileDriftHistoryStore,
    reports: DriftReport[],
    minute: number,
    delivered = true,
  ): Promise<Record<string, AlertKind>> {
    const pasts = await pastOf(
      s,
      reports.map((r) => r.name),
    );
    const alerts = new Map(
      reports.flatMap((r) => (alertFor(r, pasts.get(r.name) ?? {}) ? [[r.name, alertFor(r, pasts.get(r.name)!)!]] : [])),
    );
    const time = new Date(Date.UTC(2026, 11, 1, 0, minute));
    await writeRuns(s, stackRunRecords(reports, { time }, alerts as Map<string, AlertKind>, delivered), time);
    return Object.fromEntries(alerts);
  }

  it('alerts when drift appears, not again while it is the same, again when it changes, once when it clears', async () => {
    const s = await store();
    expect(await run(s, [report('web', 'b')], 1)).toEqual({ web: 'new' });
    expect(await run(s, [report('web', 'b')], 2)).toEqual({});
    expect(await run(s, [report('web', 'c')], 3)).toEqual({ web: 'changed' });
    expect(await run(s, [report('web')], 4)).toEqual({ web: 'resolved' });
    expect(await run(s, [report('web')], 5)).toEqual({});
  });

  it('sends an alert again when it could not be delivered', async () => {
    const s = await store();
    expect(await run(s, [report('web', 'b')], 1, false)).toEqual({ web: 'new' });
    expect(await run(s, [report('web', 'b')], 2)).toEqual({ web: 'new' });
    expect(await run(s, [report('web', 'b')], 3)).toEqual({});
  });

  it('shards alert only on their own stacks, and never twice on one', async () => {
    const s = await store();
    const shard1 = run(s, [report('a', 'x'), report('b')], 1);
    const shard2 = run(s, [report('c', 'y')], 1);
    expect(await Promise.all([shard1, shard2])).toEqual([{ a: 'new' }, { c: 'new' }]);
    expect(await Promise.all([run(s, [report('a', 'x'), report('b')], 2), run(s, [report('c', 'y')], 2)])).toEqual([{}, {}]);
  });

  it('a failing check alerts once, and says nothing about the drift it could not check', async () => {
    const s = await store();
    await run(s, [report('web', 'b')], 1);
    const failed: DriftReport = { ...report('web'), status: 'failed', action: 'failed', error: { code: 'ENGINE_ERROR', message: 'x' } };
    expect(await run(s, [failed], 2)).toEqual({ web: 'failed' });
    expect(await run(s, [failed], 3)).toEqual({});
    expect(await run(s, [report('web', 'b')], 4)).toEqual({});
  });

  it('reads the history back, leaving out and naming a damaged record', async () => {
    const s = await store();
    await run(s, [report('web', 'b'), report('db')], 1);
    await writeFile(path.join(s.where(), 'web', 'zz-broken.json'), '{"not": "a record"');
    const { records, unreadable } = await readRuns(s);
    expect(records.map((r) => [r.stack, r.action])).toEqual([
      ['db', 'none'],
      ['web', 'reported'],
    ]);
    expect(unreadable).toEqual([{ where: `${s.where()}web/zz-broken.json`, reason: 'invalid JSON' }]);
  });
});
