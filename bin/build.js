#!/usr/bin/env node
// `npm run build` (also run by `prepare`, so `npm ci` builds): bundles the driver into dist/
// with esbuild. Most packages stay external (loaded from node_modules when used); code splitting
// keeps each command's modules in its own chunk, so `gitops list` never loads the Automation
// API. Writes to a temporary folder and renames it into place, so a concurrent run never
// sees half a build.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { newestSource } from './freshness.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const tmp = path.join(root, `.dist-${process.pid}`);
const sources = newestSource(root);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
await build({
  entryPoints: { main: path.join(root, 'src/cli/main.ts'), 'program-host': path.join(root, 'src/program-host/host.ts') },
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // yaml, zod and yargs are read by every command and load faster bundled (one file instead of
  // dozens: yargs 18 from node_modules cost about 30 ms more than yargs 17 at start-up; bundled it
  // costs about the same); the rest load from node_modules only when a command needs them. Bundled
  // yargs finds no locale files, so its messages are English, as main.ts asks anyway.
  external: [
    '@pulumi/*',
    '@aws-sdk/*',
    '@gitbeaker/*',
    '@octokit/*',
    'simple-git',
    'tsx',
    'tsx/*',
    'semver',
    'esbuild',
    'oxc-resolver',
    'enhanced-resolve',
    'get-tsconfig',
  ],
  sourcemap: 'linked',
  // Less to parse at every start (yargs 18's width tables, zod): measured side by side, this took
  // `gitops list` from 1.17x to about 1.07x the time of the yargs 17 build. Names are kept, so
  // stack traces stay readable.
  minifySyntax: true,
  minifyWhitespace: true,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  // Bundled CommonJS (yaml) requires Node built-ins; give ESM chunks a real `require`.
  banner: { js: "import { createRequire as __gitopsRequire } from 'node:module'; const require = __gitopsRequire(import.meta.url);" },
});
// The stamp records how new the sources were when this build started.
writeFileSync(path.join(tmp, 'build-stamp.json'), `${JSON.stringify({ newestSourceMs: sources })}\n`);
const old = path.join(root, `.dist-old-${process.pid}`);
try {
  renameSync(dist, old);
} catch {
  // No previous build.
}
renameSync(tmp, dist);
rmSync(old, { recursive: true, force: true });
