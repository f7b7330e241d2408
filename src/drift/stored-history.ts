import { randomBytes } from 'node:crypto';
import { mapLimit } from '../lib/map-limit.js';
import type { StackPast } from './alerts.js';
import type { DriftHistoryStore, StoredRun } from './history-store.js';
import { runName, type StackRunRecord, stackRunSchema } from './run-record.js';

/** Reads at once from the store: enough to hide the round trips, few enough for any store. */
const readers = 16;

/** A stored run that does not read as a record: where it is, and why. */
export interface UnreadableRun {
  where: string;
  reason: string;
}

function parse(text: string): StackRunRecord | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'invalid JSON';
  }
  const parsed = stackRunSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.') || 'record'}: ${issue.message}`;
}

/** Writes one record per stack of a run, under one run name. */
export async function writeRuns(store: DriftHistoryStore, records: readonly StackRunRecord[], time: Date): Promise<void> {
  const name = runName(time, randomBytes(4).toString('hex'));
  await mapLimit(records, readers, (r) => store.put({ stack: r.stack, name }, `${JSON.stringify(r, null, 2)}\n`));
}

/**
 * Every stored record (of `stacks`, or all), oldest first. A record that does not parse (a
 * hand edit, a damaged object) is left out and named in `unreadable`: one bad object does not
 * hide the rest of the history.
 */
export async function readRuns(
  store: DriftHistoryStore,
  stacks?: readonly string[],
): Promise<{ records: StackRunRecord[]; unreadable: UnreadableRun[] }> {
  const runs = stacks?.length ? (await Promise.all(stacks.map((s) => store.list(s)))).flat() : await store.list();
  const read = await mapLimit(runs, readers, async (run) => ({ run, parsed: parse(await store.read(run)) }));
  const records: StackRunRecord[] = [];
  const unreadable: UnreadableRun[] = [];
  for (const { run, parsed } of read) {
    if (typeof parsed === 'string') unreadable.push({ where: `${store.where()}${run.stack}/${run.name}.json`, reason: parsed });
    else records.push(parsed);
  }
  records.sort((a, b) => a.time.localeCompare(b.time) || a.stack.localeCompare(b.stack));
  return { records, unreadable };
}

/** What the history says about each stack before this run: newest records first, read until both are known. Unreadable ones count as absent. */
export async function pastOf(store: DriftHistoryStore, stacks: readonly string[]): Promise<Map<string, StackPast>> {
  const pasts = await mapLimit(stacks, readers, async (stack) => {
    const runs: StoredRun[] = (await store.list(stack)).reverse();
    const past: StackPast = {};
    for (const run of runs) {
      const parsed = parse(await store.read(run));
      if (typeof parsed === 'string') continue;
      past.last ??= parsed;
      if (parsed.status === 'succeeded') {
        past.lastSucceeded = parsed;
        break;
      }
    }
    return [stack, past] as const;
  });
  return new Map(pasts);
}
