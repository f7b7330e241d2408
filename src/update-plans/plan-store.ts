import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { userError } from '../errors/gitops-error.js';
import { type PlanRecord, planRecordSchema } from './plan-record.js';

/** The record file of a stack in a plan folder. */
export function recordPath(dir: string, stack: string): string {
  return path.join(dir, `${stack}.json`);
}

/** The plan file of a stack in a plan folder. */
export function planFileName(stack: string): string {
  return `${stack}.plan.json`;
}

/**
 * A folder of plan records, one per stack (`preview --save-plans DIR` writes it; CI uploads it as
 * an artifact; `deploy --plans DIR` reads it). The folder must exist before anything runs.
 */
export class PlanStore {
  constructor(readonly dir: string) {}

  /** A store on `dir` for `flag`, refused (exit 2) when it is not a folder. */
  static at(dir: string, flag: string, create = false): PlanStore {
    if (!create && !(existsSync(dir) && statSync(dir).isDirectory()))
      throw userError('USAGE', `--${flag} ${dir}: no such folder`, 'give the folder `gitops preview --save-plans` wrote (the CI artifact)');
    return new PlanStore(path.resolve(dir));
  }

  /** Writes a stack's record, copying its plan file (if any) beside it. */
  async save(record: PlanRecord, planSource?: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    if (planSource && record.planFile) await copyFile(planSource, path.join(this.dir, record.planFile));
    await writeFile(recordPath(this.dir, record.stack), `${JSON.stringify(record, null, 2)}\n`);
  }

  /**
   * A stack's record, or undefined when the folder has none. A record that does not parse is
   * refused (exit 2) naming its file and field; nothing has run yet.
   */
  async load(stack: string): Promise<PlanRecord | undefined> {
    const file = recordPath(this.dir, stack);
    if (!existsSync(file)) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw userError('USAGE', `${file}: not a plan record: ${(err as Error).message}`);
    }
    const parsed = planRecordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw userError('USAGE', `${file}: not a plan record: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const record = parsed.data;
    if (record.stack !== stack) throw userError('USAGE', `${file}: records stack ${record.stack}, not ${stack}`);
    if (record.planFile && (record.planFile !== path.basename(record.planFile) || !existsSync(path.join(this.dir, record.planFile))))
      throw userError('USAGE', `${file}: planFile ${record.planFile}: no such file in ${this.dir}`);
    return record;
  }

  /**
   * Every record in the folder, by stack, read and checked before anything runs: one that does
   * not parse stops the deploy (exit 2) instead of failing halfway through it.
   */
  async loadAll(): Promise<Map<string, PlanRecord>> {
    const names = (await readdir(this.dir)).filter((f) => f.endsWith('.json') && !f.endsWith('.plan.json'));
    const records = new Map<string, PlanRecord>();
    for (const f of names.sort()) {
      const record = await this.load(f.slice(0, -'.json'.length));
      if (record) records.set(record.stack, record);
    }
    return records;
  }

  /** The absolute path of a record's plan file. */
  planPath(record: PlanRecord): string | undefined {
    return record.planFile && path.join(this.dir, record.planFile);
  }
}
