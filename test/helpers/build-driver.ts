import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles the driver into dist/ before tests that spawn `gitops` many times, so each run
 * starts from JavaScript instead of compiling the sources through tsx. (A stale or missing
 * dist/ would still be correct: bin/gitops.js then runs the sources.)
 */
export function buildDriver(): void {
  execFileSync(process.execPath, [path.join(root, 'bin', 'build.js')], { cwd: root, stdio: 'inherit' });
}
