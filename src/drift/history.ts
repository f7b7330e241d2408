import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { userError } from '../errors/gitops-error.js';
import type { DriftAction, DriftReport } from './detect.js';

/** One drift run, one line of the history file (JSON Lines). */
export interface DriftRecord {
  time: string;
  commit?: string;
  stacks: { name: string; status: string; action: DriftAction; drifted: string[]; deleted: string[] }[];
}

export function toRecord(reports: readonly DriftReport[], time: Date, commit?: string): DriftRecord {
  return {
    time: time.toISOString(),
    ...(commit ? { commit } : {}),
    stacks: reports.map((r) => ({ name: r.name, status: r.status, action: r.action, drifted: r.drifted.map((x) => x.name), deleted: r.deleted.map((x) => x.name) })),
  };
}

export async function appendRecord(file: string, record: DriftRecord): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

export async function readRecords(file: string): Promise<DriftRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw userError('USAGE', `drift history file ${file} does not exist`, 'pass the file given to `gitops drift --history FILE`');
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as DriftRecord;
      } catch {
        throw userError('USAGE', `${file}:${i + 1}: not a drift record (invalid JSON)`);
      }
    });
}

/** A stretch of time during which a stack had drift. */
export interface DriftEpisode {
  stack: string;
  appeared: string;
  appearedAt?: string;
  /** When a run found it gone or remediated it; absent while the drift is still there. */
  fixed?: string;
  fixedBy?: 'remediation' | 'cleared';
  resources: string[];
  runs: number;
}

/** Folds the run records into drift episodes per stack: when drift appeared and when it was fixed. Pure. */
export function driftEpisodes(records: readonly DriftRecord[]): DriftEpisode[] {
  const open = new Map<string, DriftEpisode>();
  const done: DriftEpisode[] = [];
  for (const record of records) {
    for (const s of record.stacks) {
      if (s.status !== 'succeeded') continue;
      const drifting = s.action !== 'none';
      const current = open.get(s.name);
      if (drifting && !current) {
        open.set(s.name, { stack: s.name, appeared: record.time, appearedAt: record.commit, resources: [...s.drifted, ...s.deleted], runs: 1 });
      } else if (drifting && current) {
        current.runs++;
        current.resources = [...new Set([...current.resources, ...s.drifted, ...s.deleted])];
      }
      if (s.action === 'remediated' || (!drifting && current)) {
        const episode = open.get(s.name)!;
        open.delete(s.name);
        done.push({ ...episode, fixed: record.time, fixedBy: s.action === 'remediated' ? 'remediation' : 'cleared' });
      }
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.appeared.localeCompare(b.appeared) || a.stack.localeCompare(b.stack));
}
