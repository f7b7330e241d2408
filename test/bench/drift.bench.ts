import { cp, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { createSandbox, demoEnv, gitopsBin } from '../helpers/sandbox.js';
import type { Bench } from './bench-types.js';
import { measure, median } from './measure.js';

const STACKS = 50;

/**
 * Drift over 50 demo stacks at concurrency 1, 2 and 4 (target: at 4, at most half the time
 * of 1). One deploy first, then each drift run is a refresh preview of every stack. With
 * BENCH_BASELINE_GITOPS, also side by side with that build.
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
      // BENCH_DRIFT_SWEEP=0: the baseline comparison alone (the sweep takes minutes per level on a loaded machine).
      const levels = process.env.BENCH_DRIFT_SWEEP === '0' ? [] : [1, 2, 4];
      for (const c of levels) {
        const r = await measure(process.execPath, [gitopsBin, 'drift', '--all', '--concurrency', String(c), '-q'], { cwd: box.root, env });
        if (r.code !== 0) throw new Error(`drift at concurrency ${c} exited ${r.code}: ${r.stderr.slice(-2000)}`);
        times[c] = r.wallMs;
        peaks[c] = r.peakMiB;
        log(`concurrency ${c}: ${(r.wallMs / 1000).toFixed(1)} s, peak ${r.peakMiB.toFixed(0)} MiB (driver process)`);
      }
      const ratio = levels.length > 0 ? times[4]! / times[1]! : Number.NaN;
      const baseline = process.env.BENCH_BASELINE_GITOPS ? await againstBaseline(stacks, env, log) : undefined;
      return {
        name: 'drift-concurrency',
        lines: [
          `drift --all over ${STACKS} stacks (${path.basename(box.root)}):`,
          ...levels.map((c) => `  concurrency ${c}: ${(times[c]! / 1000).toFixed(1)} s wall, ${peaks[c]!.toFixed(0)} MiB peak`),
          ...(levels.length > 0 ? [`  ratio c4/c1 = ${ratio.toFixed(2)} (target <= 0.50)`] : []),
          ...(baseline ? [baseline.line] : []),
        ],
        figures: {
          c1Ms: times[1]!,
          c2Ms: times[2]!,
          c4Ms: times[4]!,
          ratioC4C1: ratio,
          c1PeakMiB: peaks[1]!,
          c4PeakMiB: peaks[4]!,
          ...(baseline ? { ratioBaselineC4: baseline.ratio } : {}),
        },
      };
    } finally {
      await box.dispose();
    }
  },
};
export default bench;

/**
 * `drift --all --concurrency 4` of this build against another build's `bin/gitops.js`
 * (BENCH_BASELINE_GITOPS), each on its own deployed copy of the same stacks, interleaved
 * BENCH_RUNS times (default 3): the median of the per-round time ratios.
 */
async function againstBaseline(
  stacks: Record<string, string>,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<{ ratio: number; line: string }> {
  const bins = { gitops: gitopsBin, baseline: process.env.BENCH_BASELINE_GITOPS! };
  const boxes = { gitops: await createSandbox({ stacks }), baseline: await createSandbox({ stacks }) };
  try {
    // The baseline runs its own programs on its own packages: one copy of @pulumi/pulumi per driver.
    const baselineRoot = path.resolve(path.dirname(bins.baseline), '..');
    await rm(path.join(boxes.baseline.root, 'node_modules'));
    await symlink(path.join(baselineRoot, 'node_modules'), path.join(boxes.baseline.root, 'node_modules'), 'dir');
    await rm(path.join(boxes.baseline.root, 'programs'), { recursive: true });
    await cp(path.join(baselineRoot, 'programs'), path.join(boxes.baseline.root, 'programs'), { recursive: true });
    for (const [name, bin] of Object.entries(bins) as [keyof typeof bins, string][]) {
      const setup = await measure(process.execPath, [bin, 'deploy', '--all', '--concurrency', '4', '-q'], { cwd: boxes[name].root, env });
      if (setup.code !== 0) throw new Error(`${name} setup deploy failed: ${setup.stderr.slice(-2000)}`);
    }
    const ratios: number[] = [];
    const runs = Number(process.env.BENCH_RUNS ?? 3);
    for (let i = 0; i < runs; i++) {
      const ms: Record<string, number> = {};
      for (const name of i % 2 ? (['baseline', 'gitops'] as const) : (['gitops', 'baseline'] as const)) {
        const r = await measure(process.execPath, [bins[name], 'drift', '--all', '--concurrency', '4', '-q'], {
          cwd: boxes[name].root,
          env,
        });
        if (r.code !== 0) throw new Error(`${name} drift exited ${r.code}: ${r.stderr.slice(-2000)}`);
        ms[name] = r.wallMs;
      }
      ratios.push(ms.gitops! / ms.baseline!);
      log(
        `against baseline, round ${i + 1}/${runs}: gitops ${(ms.gitops! / 1000).toFixed(1)} s, baseline ${(ms.baseline! / 1000).toFixed(1)} s`,
      );
    }
    const ratio = median(ratios);
    return { ratio, line: `  ratio gitops/baseline at concurrency 4 (${bins.baseline}, median of ${runs} rounds) = ${ratio.toFixed(3)}` };
  } finally {
    await Promise.all([boxes.gitops.dispose(), boxes.baseline.dispose()]);
  }
}
