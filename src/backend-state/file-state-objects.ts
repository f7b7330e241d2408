import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListedObject, StateObjects, StoredObject } from './state-objects.js';

/** The objects of a `file://` backend: files under its folder. */
export class FileStateObjects implements StateObjects {
  constructor(private readonly dir: string) {}

  async list(prefix: string): Promise<ListedObject[]> {
    const root = path.join(this.dir, ...prefix.split('/').filter(Boolean));
    let names: string[];
    try {
      names = await readdir(root, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    // Folders are listed too: a key whose name has no dot is checked (state, tags and records all have one).
    const out: ListedObject[] = [];
    for (const name of names) {
      if (
        !path.basename(name).includes('.') &&
        !(await stat(path.join(root, name)).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        continue;
      out.push({ key: `${prefix}${name.split(path.sep).join('/')}` });
    }
    return out;
  }

  async modifiedAt(object: ListedObject): Promise<number> {
    return (
      object.modified ??
      (await stat(this.where(object.key)).then(
        (s) => s.mtimeMs,
        () => 0,
      ))
    );
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.where(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async readTagged(key: string): Promise<StoredObject | undefined> {
    const bytes = await this.read(key);
    return bytes && { bytes };
  }

  where(key: string): string {
    return path.join(this.dir, ...key.split('/'));
  }
}
