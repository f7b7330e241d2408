import path from 'node:path';
import { createSandbox, demoEnv, gitopsBin } from '../helpers/sandbox.js';
import type { Bench } from './bench-types.js';
import { measure } from './measure.js';

const STACKS = 50;

/**
 * Drift over 50 demo stacks at concurrency 1, 2 and 4 (issue target: at 4, at most half the
 * time of 1). One deploy first, then each drift run is a refresh preview of every stack.
 */
const bench: Bench = {
  name: 'drift-concurrency',
  async run(log) {
    const stacks = Object.fromEntries(
      Array.from({ length: STACKS }, (_, i) => [
        `edge-${String(i).padStart(2, '0')}`,
        `program: local-base\nconfig:\n  local-base:basePort: ${10000 + i}\n`,
      ]),
    );
    const box = await createSandbox({ stacks });
    const env = { ...process.env, ...demoEnv, PULUMI_CONFIG_PASSPHRASE: 'gitops-demo' } as NodeJS.ProcessEnv;
    delete env.PULUMI_BACKEND_URL;
    try {
      log(`deploying ${STACKS} stacks (setup, not measured)`);
      const setup = await measure(process.execPath, [gitopsBin, 'deploy', '--all', '--concurrency', '4', '-q'], { cwd: box.root, env });
      if (setup.code !== 0) throw new Error(`setup deploy failed: ${setup.stderr.slice(-2000)}`);
      const times: Record<number, number> = {};
      const peaks: Record<number, number> = {};
      for (const c of [1, 2, 4]) {
        const r = await measure(process.execPath, [gitopsBin, 'drift', '--all', '--concurrency', String(c), '-q'], { cwd: box.root, env });
        if (r.code !== 0) throw new Error(`drift at concurrency ${c} exited ${r.code}: ${r.stderr.slice(-2000)}`);
        times[c] = r.wallMs;
        peaks[c] = r.peakMiB;
        log(`concurrency ${c}: ${(r.wallMs / 1000).toFixed(1)} s, peak ${r.peakMiB.toFixed(0)} MiB (driver process)`);
      }
      const ratio = times[4]! / times[1]!;
      return {
        name: 'drift-concurrency',
        lines: [
          `drift --all over ${STACKS} stacks (${path.basename(box.root)}):`,
          ...[1, 2, 4].map((c) => `  concurrency ${c}: ${(times[c]! / 1000).toFixed(1)} s wall, ${peaks[c]!.toFixed(0)} MiB peak`),
          `  ratio c4/c1 = ${ratio.toFixed(2)} (target <= 0.50)`,
        ],
        figures: { c1Ms: times[1]!, c2Ms: times[2]!, c4Ms: times[4]!, ratioC4C1: ratio, c1PeakMiB: peaks[1]!, c4PeakMiB: peaks[4]! },
      };
    } finally {
      await box.dispose();
    }
  },
};
export default bench;
