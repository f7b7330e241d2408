import { afterEach, beforeEach } from 'vitest';
import { type ForgeServer, startForgeServer } from './forge-server.js';

/**
 * A new local forge server for each test of the file, closed after it: no test sees another's
 * merge requests, comments, issues, tokens or faults. `set` receives each new server before its
 * test runs (to keep it, and to seed what every test of the file starts from).
 */
export function freshForgeServerEachTest(set: (server: ForgeServer) => void | Promise<void>): void {
  let current: ForgeServer | undefined;
  beforeEach(async () => {
    current = await startForgeServer();
    await set(current);
  });
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
}
