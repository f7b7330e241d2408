#!/usr/bin/env node
// The only file that touches `process`: it wires signals and streams to the CLI and sets the
// exit code. It runs the bundled driver (dist/, built by `npm ci` through `prepare`, or by
// `npm run build`); when dist/ is missing or older than src/, it runs the TypeScript sources
// through tsx instead, so an edit is never shadowed by a stale build.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let main;
if (distIsFresh(root)) {
  ({ main } = await import('../dist/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}

// The AWS SDK (the stack lock on S3 backends) warns on every run under Node 20 that its
// releases from 2027 on need Node 22; the engines field and the README say what we support.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const controller = new AbortController();
let interrupts = 0;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(`\n${sig}: cancelling running operations (again to force quit)\n`);
    controller.abort();
  });
}

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  io: { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) },
  signal: controller.signal,
  version: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version,
  stderrIsTTY: process.stderr.isTTY === true,
});
