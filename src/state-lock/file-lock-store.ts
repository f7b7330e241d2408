import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LockStore, type ObjectKind, objectKey, type RemoveOutcome, type StoredLock } from './lock-store.js';

/**
 * Stack locks on a `file://` backend: `<dir>/.gitops/locks/<project>/<stack>.json`.
 *
 * Taking the lock is an exclusive create: the record is written to a private file, then
 * hard-linked to the lock's name, which fails with EEXIST when the name exists (as O_EXCL
 * does), so exactly one of two racers gets it; unlike a bare O_EXCL open, a reader never sees
 * the lock created but still empty.
 */
export class FileLockStore implements LockStore {
  constructor(
    private readonly dir: string,
    private readonly kind: ObjectKind = 'locks',
  ) {}

  private file(project: string, stack: string): string {
    return path.join(this.dir, ...objectKey(this.kind, project, stack).split('/'));
  }

  ofKind(kind: ObjectKind): LockStore {
    return new FileLockStore(this.dir, kind);
  }

  where(project: string, stack: string): string {
    return this.file(project, stack);
  }

  async create(project: string, stack: string, text: string): Promise<string | undefined> {
    const file = this.file(project, stack);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      // Inside the try: a write that fails part way (a full disk) leaves no private file behind.
      await writeFile(tmp, text, { flag: 'wx' });
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
   * Read, compare, delete: a file system has no conditional delete. The compare and the unlink
   * run under the object's write guard (see `guarded`), so no `replace` gets in between; the
   * window is open only to someone who removes this lock by hand (`gitops unlock --force`,
   * `rm`) and a new run that takes it in those microseconds; the record's run id makes the tag
   * unique, so a lock merely taken again is never mistaken for ours.
   */
  async remove(project: string, stack: string, tag: string): Promise<RemoveOutcome> {
    const file = this.file(project, stack);
    return this.guarded(file, async () => {
      const current = await this.read(project, stack);
      if (!current) return 'gone';
      if (current.tag !== tag) return 'changed';
      try {
        await unlink(file);
        return 'removed';
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
        throw err;
      }
    });
  }

  /**
   * Runs `fn` while holding `<file>.writing`, an exclusive create: a file system has no
   * compare-and-swap, so conditional replaces and deletes of one object take turns. A guard
   * left by a process killed inside those few milliseconds is broken once it is 10 s old.
   */
  private async guarded<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const guard = `${file}.writing`;
    await mkdir(path.dirname(file), { recursive: true });
    for (let attempt = 1; ; attempt++) {
      try {
        await writeFile(guard, String(process.pid), { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const age = await stat(guard).then(
          (s) => Date.now() - s.mtimeMs,
          () => 0,
        );
        if (age > 10_000) await rm(guard, { force: true });
        else if (attempt >= 500) throw new Error(`${guard} is held by another writer`);
        else await sleep(10);
      }
    }
    try {
      return await fn();
    } finally {
      await rm(guard, { force: true });
    }
  }

  /**
   * Compare, then rename under the write guard: the new text is written whole to a private file
   * first, so a reader sees the old version or the new one, never a torn one.
   */
  async replace(project: string, stack: string, text: string, tag: string): Promise<string | undefined> {
    const file = this.file(project, stack);
    return this.guarded(file, async () => {
      const current = await this.read(project, stack);
      if (current?.tag !== tag) return undefined;
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, text, { flag: 'wx' });
        await rename(tmp, file);
        return text;
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }
}
