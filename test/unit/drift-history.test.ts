import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendRecord, type DriftRecord, driftEpisodes, readRecords } from '../../src/drift/history.js';

const run = (time: string, stacks: DriftRecord['stacks'], commit?: string): DriftRecord => ({ time, commit, stacks });
const clean = (name: string) => ({ name, status: 'succeeded', action: 'none' as const, drifted: [], deleted: [] });
const drift = (name: string, action: 'reported' | 'remediated' | 'blocked', drifted: string[]) => ({
  name,
  status: 'succeeded',
  action,
  drifted,
  deleted: [],
});

describe('drift history', () => {
  it('finds when drift appeared and when it was fixed', () => {
    const records = [
      run('2026-11-01T00:00:00Z', [clean('web'), clean('db')], 'c1'),
      run('2026-11-02T00:00:00Z', [drift('web', 'reported', ['server']), clean('db')], 'c2'),
      run('2026-11-03T00:00:00Z', [drift('web', 'reported', ['server', 'page']), drift('db', 'blocked', ['table'])], 'c3'),
      run('2026-11-04T00:00:00Z', [drift('web', 'remediated', ['server']), drift('db', 'blocked', ['table'])], 'c4'),
      run('2026-11-05T00:00:00Z', [clean('web'), drift('db', 'blocked', ['table'])], 'c5'),
    ];
    expect(driftEpisodes(records)).toEqual([
      {
        stack: 'web',
        appeared: '2026-11-02T00:00:00Z',
        appearedAt: 'c2',
        fixed: '2026-11-04T00:00:00Z',
        fixedBy: 'remediation',
        resources: ['server', 'page'],
        runs: 3,
      },
      { stack: 'db', appeared: '2026-11-03T00:00:00Z', appearedAt: 'c3', resources: ['table'], runs: 3 },
    ]);
  });

  it('counts drift that cleared without remediation as cleared', () => {
    const records = [run('t1', [drift('web', 'reported', ['x'])]), run('t2', [clean('web')])];
    expect(driftEpisodes(records)).toEqual([expect.objectContaining({ stack: 'web', appeared: 't1', fixed: 't2', fixedBy: 'cleared' })]);
  });

  it('appends JSON lines and reads them back; a broken line is named', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-history-'));
    try {
      const file = path.join(dir, 'sub', 'drift.jsonl');
      await appendRecord(file, run('t1', [clean('web')]));
      await appendRecord(file, run('t2', [drift('web', 'reported', ['x'])]));
      expect((await readRecords(file)).map((r) => r.time)).toEqual(['t1', 't2']);
      await writeFile(file, '{"time":"t1","stacks":[]}\nnot json\n');
      await expect(readRecords(file)).rejects.toThrow(`${file}:2: not a drift record`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
