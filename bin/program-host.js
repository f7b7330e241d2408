#!/usr/bin/env node
// The program host's process (see src/program-host/host.ts), started by the Pulumi CLI through
// `pulumi-language-gitops` for each operation that runs a stack's program. Like gitops.js it runs
// the bundled build when fresh, and the TypeScript sources through tsx otherwise.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distIsFresh } from './freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let runProgramHost;
if (distIsFresh(root)) {
  ({ runProgramHost } = await import('../dist/program-host.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runProgramHost } = await import('../src/program-host/host.ts'));
}
try {
  await runProgramHost(process);
} catch (err) {
  process.stderr.write(`gitops program host: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
