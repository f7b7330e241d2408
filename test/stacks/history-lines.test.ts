import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { driftEpisodes, readRecords } from '../../src/drift/history.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { GitopsError } from '../../src/errors/gitops-error.js';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length) await rm(dirs.pop()!, { recursive: true, force: true });
});

async function history(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-history-'));
  dirs.push(dir);
  const file = path.join(dir, 'drift.jsonl');
  await writeFile(file, text);
  return file;
}

const good = JSON.stringify({
  time: '2026-11-01T00:00:00Z',
  stacks: [{ name: 'web', status: 'succeeded', action: 'reported', drifted: ['server'], deleted: [] }],
});

async function refusal(text: string): Promise<{ file: string; err: GitopsError }> {
  const file = await history(text);
  const err = await readRecords(file).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(GitopsError);
  expect((err as GitopsError).kind).toBe('user');
  expect(exitCodeFor(err)).toBe(2);
  return { file, err: err as GitopsError };
}

describe('drift history lines of the wrong shape are user errors naming the file, line and field', () => {
  it.each([
    { label: 'stacks is not a list', line: '{"time":"t","stacks":{}}', says: 'stacks: ' },
    { label: 'a line that is JSON null', line: 'null', says: 'not a drift record: ' },
    { label: 'a list instead of a record', line: '[1,2]', says: 'not a drift record: ' },
    { label: 'time is a number', line: '{"time":1,"stacks":[]}', says: 'time: ' },
    {
      label: 'drifted is a string',
      line: '{"time":"t","stacks":[{"name":"web","status":"succeeded","action":"reported","drifted":"x","deleted":[]}]}',
      says: 'stacks[0].drifted: ',
    },
    {
      label: 'an unknown action',
      line: '{"time":"t","stacks":[{"name":"web","status":"succeeded","action":"exploded","drifted":[],"deleted":[]}]}',
      says: 'stacks[0].action: ',
    },
    {
      label: 'a stack without a name',
      line: '{"time":"t","stacks":[{"status":"succeeded","action":"none","drifted":[],"deleted":[]}]}',
      says: 'stacks[0].name: ',
    },
  ])('$label', async ({ line, says }) => {
    const { file, err } = await refusal(`${good}\n\n${line}\n${good}\n`);
    expect(err.code).toBe('USAGE');
    // Line 3: blank lines count, so the number matches what an editor shows.
    expect(err.message.startsWith(`${file}:3: not a drift record`)).toBe(true);
    expect(err.message).toContain(says);
  });

  it('invalid JSON names its line too', async () => {
    const { file, err } = await refusal(`${good}\n{"time":\n`);
    expect(err.message).toBe(`${file}:2: not a drift record (invalid JSON)`);
  });

  it('lines of the right shape are read, ignoring fields a newer version may add', async () => {
    const newer = JSON.stringify({
      time: '2026-11-02T00:00:00Z',
      commit: 'c2',
      runner: 'ci-7',
      stacks: [{ name: 'web', status: 'succeeded', action: 'none', drifted: [], deleted: [], extra: 1 }],
    });
    const records = await readRecords(await history(`${good}\n${newer}\n`));
    expect(records).toHaveLength(2);
    expect(driftEpisodes(records)).toEqual([
      expect.objectContaining({ stack: 'web', appeared: '2026-11-01T00:00:00Z', fixed: '2026-11-02T00:00:00Z', fixedBy: 'cleared' }),
    ]);
  });
});
