import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { DriftAction, DriftEpisode, DriftReport } from '../api/drift-report.js';
import { userError } from '../errors/gitops-error.js';

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
    stacks: reports.map((r) => ({
      name: r.name,
      status: r.status,
      action: r.action,
      drifted: r.drifted.map((x) => x.name),
      deleted: r.deleted.map((x) => x.name),
    })),
  };
}

export async function appendRecord(file: string, record: DriftRecord): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await appendFile(file, `${JSON.stringify(record)}\n`);
}

const driftActions = ['none', 'reported', 'remediated', 'blocked', 'failed'] as const satisfies readonly DriftAction[];
// Stops compiling when DriftAction gains a value this list lacks: the reader would refuse its lines.
const everyActionListed: [Exclude<DriftAction, (typeof driftActions)[number]>] extends [never] ? true : never = true;
void everyActionListed;

/** The shape a history line must have; unknown fields are ignored, so newer lines still read. */
const recordSchema = z.object({
  time: z.string(),
  commit: z.string().optional(),
  stacks: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      action: z.enum(driftActions),
      drifted: z.array(z.string()),
      deleted: z.array(z.string()),
    }),
  ),
});

/**
 * Reads a history file. A line that is not JSON, or not a drift record, is a USAGE error naming
 * the file, the line number (blank lines counted) and the field that is wrong.
 */
export async function readRecords(file: string): Promise<DriftRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw userError('USAGE', `drift history file ${file} does not exist`, 'pass the file given to `gitops drift --history FILE`');
  }
  const records: DriftRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw userError('USAGE', `${file}:${i + 1}: not a drift record (invalid JSON)`);
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '');
      throw userError(
        'USAGE',
        `${file}:${i + 1}: not a drift record: ${field ? `${field}: ` : ''}${issue.message}`,
        'each line is one run, as written by `gitops drift --history FILE`',
      );
    }
    records.push(parsed.data);
  });
  return records;
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
        open.set(s.name, {
          stack: s.name,
          appeared: record.time,
          appearedAt: record.commit,
          resources: [...s.drifted, ...s.deleted],
          runs: 1,
        });
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
