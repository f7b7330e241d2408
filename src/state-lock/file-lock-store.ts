import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type LockStore, lockKey, type RemoveOutcome, type StoredLock } from './lock-store.js';

/**
 * Stack locks on a `file://` backend: `<dir>/.gitops/locks/<project>/<stack>.json`.
 *
 * Taking the lock is an exclusive create: the record is written to a private file, then
 * hard-linked to the lock's name, which fails with EEXIST when the name exists (as O_EXCL
 * does), so exactly one of two racers gets it; unlike a bare O_EXCL open, a reader never sees
 * the lock created but still empty.
 */
export class FileLockStore implements LockStore {
  constructor(private readonly dir: string) {}

  private file(project: string, stack: string): string {
    return path.join(this.dir, ...lockKey(project, stack).split('/'));
  }

  where(project: string, stack: string): string {
    return this.file(project, stack);
  }

  async create(project: string, stack: string, text: string): Promise<string | undefined> {
    const file = this.file(project, stack);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, text, { flag: 'wx' });
    try {
      await link(tmp, file);
      return text;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async read(project: string, stack: string): Promise<StoredLock | undefined> {
    try {
      const text = await readFile(this.file(project, stack), 'utf8');
      return { text, tag: text };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Read, compare, delete: a file system has no conditional delete. The window between the
   * compare and the unlink is open only to someone who removes this lock by hand (`gitops
   * unlock --force`, `rm`) and a new run that takes it in those microseconds; the record's
   * run id makes the tag unique, so a lock merely taken again is never mistaken for ours.
   */
  async remove(project: string, stack: string, tag: string): Promise<RemoveOutcome> {
    const current = await this.read(project, stack);
    if (!current) return 'gone';
    if (current.tag !== tag) return 'changed';
    try {
      await unlink(this.file(project, stack));
      return 'removed';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw err;
    }
  }
}
