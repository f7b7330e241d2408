import { mkdir, rm, stat } from 'node:fs/promises';
import type { Log } from './go-build.js';

const STALE_MS = 60 * 60 * 1000;

/**
 * Runs `fn` while holding a lock folder, so two processes (parallel test workers, two
 * terminals) never build the same toolchain at once. A lock older than an hour is stale.
 */
export async function withFileLock<T>(lockDir: string, log: Log, fn: () => Promise<T>): Promise<T> {
  let waited = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lockDir).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_MS) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!waited) log(`waiting for another process to finish installing (${lockDir})`);
      waited = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
