import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListedObject, StateObjects } from './state-objects.js';

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
    const out: ListedObject[] = [];
    for (const name of names) {
      const s = await stat(path.join(root, name)).catch(() => undefined);
      if (s?.isFile()) out.push({ key: `${prefix}${name.split(path.sep).join('/')}`, modified: s.mtimeMs });
    }
    return out;
  }

  async read(key: string): Promise<Buffer | undefined> {
    try {
      return await readFile(this.where(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  where(key: string): string {
    return path.join(this.dir, ...key.split('/'));
  }
}
