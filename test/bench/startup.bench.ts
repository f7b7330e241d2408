import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bench } from './bench-types.js';
import { type Measured, measure, median } from './measure.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const gitops = path.join(root, 'bin', 'gitops.js');

/**
 * Whole-process start-up of commands that never run the engine, on the shipped stacks, against
 * bare `node -e 0`: medians of 5 interleaved rounds after a warm-up, in one run.
 */
const bench: Bench = {
  name: 'startup',
  async run(log) {
    execFileSync(process.execPath, [path.join(root, 'bin', 'build.js')], { cwd: root, stdio: 'inherit' });
    const contenders: Record<string, string[]> = { node: ['-e', '0'], list: [gitops, 'list'], validate: [gitops, 'validate'] };
    const runs: Record<string, Measured[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let round = 0; round <= 5; round++) {
      for (const [name, args] of Object.entries(contenders)) {
        const m = await measure(process.execPath, args, { cwd: root });
        if (m.code !== 0) throw new Error(`${name} exited ${m.code}: ${m.stderr}`);
        if (round > 0) runs[name]!.push(m);
      }
      if (round > 0)
        log(
          `round ${round}: ${Object.entries(runs)
            .map(([n, r]) => `${n} ${r.at(-1)!.wallMs.toFixed(0)} ms`)
            .join(', ')}`,
        );
    }
    const wall = (n: string) => median(runs[n]!.map((m) => m.wallMs));
    const peak = (n: string) => Math.max(...runs[n]!.map((m) => m.peakMiB));
    const figures = {
      nodeMs: wall('node'),
      nodeMiB: peak('node'),
      listMs: wall('list'),
      listMiB: peak('list'),
      validateMs: wall('validate'),
      validateMiB: peak('validate'),
    };
    return {
      name: 'startup',
      lines: [
        `node -e 0:       ${figures.nodeMs.toFixed(0)} ms, ${figures.nodeMiB.toFixed(0)} MiB`,
        `gitops list:     ${figures.listMs.toFixed(0)} ms, ${figures.listMiB.toFixed(0)} MiB (${(figures.listMs / figures.nodeMs).toFixed(2)}x node)`,
        `gitops validate: ${figures.validateMs.toFixed(0)} ms, ${figures.validateMiB.toFixed(0)} MiB (${(figures.validateMs / figures.nodeMs).toFixed(2)}x node)`,
      ],
      figures,
    };
  },
};
export default bench;
