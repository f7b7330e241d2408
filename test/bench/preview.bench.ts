import os from 'node:os';
import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';
import type { Bench, BenchResult } from './bench-types.js';
import { automationContender, type Contender, gitopsContender, PLAIN_NODEARGS, plainContender, STACK } from './fixtures/contenders.js';
import { languageHostForBench } from './fixtures/language-host-for-bench.js';
import { measure, median } from './measure.js';

const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** One measured round: every contender once, back to back. */
type Round = Map<Contender['name'], { ms: number; mib: number }>;

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const fmtMiB = (mib: number): string => `${mib.toFixed(0)} MiB`;
const ratio = (a: number, b: number): number => Math.round((a / b) * 1000) / 1000;
const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

/**
 * Core §11: `gitops preview` of one demo stack against plain `pulumi preview` of the same program
 * set up as an ordinary Pulumi TypeScript project, plus the smallest Automation API driver as a
 * reference. Each contender deploys the stack once in its own copy, so every measured preview is
 * a realistic no-op preview of a deployed stack. Runs are interleaved, and the contender that
 * goes first rotates, so load from other processes falls on all alike. Wall time and peak
 * resident memory (largest process of the tree, GNU time) per run; medians of the measured runs,
 * and the ratios as medians of the ratios within each round.
 */
const bench: Bench = {
  name: 'preview',
  async run(log): Promise<BenchResult> {
    const toolchain = await ensurePulumi(process.env, (line) => log(`[toolchain] ${line}`));
    const host = await languageHostForBench(process.env, (line) => log(`[language host] ${line}`));
    log(host.note);
    const loadBefore = load();
    const contenders: Contender[] = [];
    const rounds: Round[] = [];
    try {
      log('deploying the stack once per contender');
      contenders.push(await gitopsContender());
      const baseline = process.env.BENCH_BASELINE_GITOPS;
      if (baseline) contenders.push(await gitopsContender(baseline, 'baseline'));
      contenders.push(await gitopsContender(undefined, 'policy'));
      contenders.push(await plainContender(toolchain.binDir, host.path));
      contenders.push(await automationContender());
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const order = contenders.map((_, k) => contenders[(i + k) % contenders.length]!);
        const round: Round = new Map();
        const parts: string[] = [];
        for (const c of order) {
          const run = await measure(c.preview.cmd, c.preview.args, c.preview);
          c.check(run);
          round.set(c.name, { ms: run.wallMs, mib: run.peakMiB });
          parts.push(`${c.name} ${fmtS(run.wallMs)} ${fmtMiB(run.peakMiB)}`);
        }
        if (i >= WARMUP) rounds.push(round);
        log(`${i < WARMUP ? 'warm-up' : `run ${i - WARMUP + 1}/${RUNS}`}: ${parts.join(', ')} (load ${load()})`);
      }
    } finally {
      await Promise.all(contenders.map((c) => c.dispose()));
    }

    const med = (name: Contender['name']): { ms: number; mib: number } => ({
      ms: median(rounds.map((r) => r.get(name)!.ms)),
      mib: median(rounds.map((r) => r.get(name)!.mib)),
    });
    // The load of a shared machine drifts between rounds, so the ratio that counts is the median
    // of the ratios within each round (contenders measured back to back), not of the medians.
    const paired = (a: Contender['name'], b: Contender['name'], key: 'ms' | 'mib'): number =>
      ratio(median(rounds.map((r) => r.get(a)![key] / r.get(b)![key])), 1);
    const gitops = med('gitops');
    const plain = med('plain');
    const automation = med('automation');
    const timeRatio = paired('gitops', 'plain', 'ms');
    const memRatio = paired('gitops', 'plain', 'mib');
    const verdict = (r: number): string => (r <= 1 ? 'meets target <= 1.0' : 'MISSES target <= 1.0');
    return {
      name: 'preview',
      lines: [
        `no-op preview of ${STACK} (deployed stack), medians of ${RUNS} interleaved runs after ${WARMUP} warm-up; load ${loadBefore} -> ${load()} (${os.cpus().length} cores)`,
        `  plain project: ${host.kind === 'real' ? "Pulumi's language host" : 'STAND-IN language host (the real one cannot be fetched here)'}, TypeScript through nodeargs "${PLAIN_NODEARGS}"`,
        ...contenders.map((c) => `  ${c.label.padEnd(48)} ${fmtS(med(c.name).ms).padStart(8)} ${fmtMiB(med(c.name).mib).padStart(9)}`),
        `  ratio gitops/plain (median of per-round ratios): time ${timeRatio} (${verdict(timeRatio)}), peak memory ${memRatio} (${verdict(memRatio)})`,
        `  ratio gitops/plain of the medians: time ${ratio(gitops.ms, plain.ms)}, peak memory ${ratio(gitops.mib, plain.mib)}`,
        `  ratio gitops/automation-script (per round): time ${paired('gitops', 'automation', 'ms')}, peak memory ${paired('gitops', 'automation', 'mib')}`,
        `  ratio gitops with one policy pack/gitops without (per round): time ${paired('policy', 'gitops', 'ms')}, peak memory ${paired('policy', 'gitops', 'mib')}`,
        ...(rounds[0]?.has('baseline')
          ? [
              `  ratio gitops/baseline (${process.env.BENCH_BASELINE_GITOPS}, per round): time ${paired('gitops', 'baseline', 'ms')}, peak memory ${paired('gitops', 'baseline', 'mib')}`,
            ]
          : []),
      ],
      figures: {
        gitopsMs: Math.round(gitops.ms),
        plainMs: Math.round(plain.ms),
        automationMs: Math.round(automation.ms),
        gitopsPeakMiB: Math.round(gitops.mib),
        plainPeakMiB: Math.round(plain.mib),
        automationPeakMiB: Math.round(automation.mib),
        timeRatio,
        memoryRatio: memRatio,
        timeRatioOfMedians: ratio(gitops.ms, plain.ms),
        memoryRatioOfMedians: ratio(gitops.mib, plain.mib),
        standInLanguageHost: host.kind === 'stand-in' ? 1 : 0,
        policyPackMs: Math.round(med('policy').ms),
        policyPackPeakMiB: Math.round(med('policy').mib),
        timeRatioPolicyPack: paired('policy', 'gitops', 'ms'),
        ...(rounds[0]?.has('baseline')
          ? { baselineMs: Math.round(med('baseline').ms), timeRatioBaseline: paired('gitops', 'baseline', 'ms') }
          : {}),
      },
    };
  },
};

export default bench;
