import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench, BenchResult } from './bench-types.js';

/**
 * `npm run bench`: runs every `test/bench/*.bench.ts` (or those named on the command line)
 * and prints their figures, then one JSON summary line.
 */
const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: BenchResult[] = [];
for (const f of files) {
  const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default: Bench };
  if (only.length > 0 && !only.includes(mod.default.name)) continue;
  process.stdout.write(`\n== ${mod.default.name}\n`);
  const result = await mod.default.run((line) => process.stdout.write(`   ${line}\n`));
  for (const line of result.lines) process.stdout.write(`${line}\n`);
  results.push(result);
}
process.stdout.write(`\nBENCH_JSON ${JSON.stringify(Object.fromEntries(results.map((r) => [r.name, r.figures])))}\n`);
