import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The folder (or key prefix) of drift history beside the state: one object per stack per run. */
export const HISTORY_PREFIX = '.gitops/drift-history';

/** One stored run record of one stack: its stack, and its name (sortable by time). */
export interface StoredRun {
  stack: string;
  name: string;
}

/**
 * Where drift history is kept, beside the state: `<backend>/.gitops/drift-history/<stack>/<run>.json`,
 * a file on `file://`, an object in the bucket on `s3://`. Every clone that can read the state
 * reads the same history. Each run writes new objects only, so shards and racing runners never
 * overwrite one another.
 */
export interface DriftHistoryStore {
  /** The history's address, for messages (no credentials, no query). */
  where(): string;
  put(run: StoredRun, text: string): Promise<void>;
  /** The stored runs, of one stack or all, oldest first within each stack. */
  list(stack?: string): Promise<StoredRun[]>;
  read(run: StoredRun): Promise<string>;
}

/** The history of a `file://` backend, in its folder. Writes go through a temporary file: a killed run leaves no half record. */
export class FileDriftHistoryStore implements DriftHistoryStore {
  private readonly root: string;

  constructor(backendDir: string) {
    this.root = path.join(backendDir, HISTORY_PREFIX);
  }

  where(): string {
    return this.root;
  }

  async put(run: StoredRun, text: string): Promise<void> {
    const file = path.join(this.root, run.stack, `${run.name}.json`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, text);
    await rename(`${file}.tmp`, file);
  }

  async list(stack?: string): Promise<StoredRun[]> {
    const stacks = stack === undefined ? await names(this.root) : [stack];
    const runs = await Promise.all(
      stacks.map(async (s) =>
        (await names(path.join(this.root, s)))
          .filter((f) => f.endsWith('.json'))
          .map((f) => ({ stack: s, name: f.slice(0, -'.json'.length) }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      ),
    );
    return runs.flat();
  }

  read(run: StoredRun): Promise<string> {
    return readFile(path.join(this.root, run.stack, `${run.name}.json`), 'utf8');
  }
}

/** The entries of a folder; none when it does not exist yet. */
async function names(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
