import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { layoutAt } from '../../src/repo/layout.js';
import { defaultStackFileLimits } from '../../src/stacks/limits.js';
import { inspectStacks } from '../../src/stacks/load.js';
import { parseStackFile } from '../../src/stacks/parse.js';
import { writeTree } from '../helpers/git-repo.js';
import type { Bench } from './bench-types.js';
import { median } from './measure.js';

/** A stack file with `keys` config entries of 84 bytes each: 60,000 make 5 MB. */
function manyKeys(keys: number, extra = ''): string {
  const lines = ['program: app', 'config:'];
  for (let i = 0; i < keys; i++) lines.push(`  app:key${String(i).padStart(6, '0')}: "${'x'.repeat(64)}"`);
  return `${lines.join('\n')}\n${extra}`;
}

function cpuMs(fn: () => unknown): number {
  const started = process.cpuUsage();
  fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * Reading stack files: a 5 MB file of 60,000 keys (refused for size by default; parsed with the
 * limit raised), a file at the size limit whose duplicate key forces the full parser, and a
 * catalogue of 1,000 small stack files. CPU time, medians of 5 (wall time on 2 shared cores
 * says more about the neighbours).
 */
const bench: Bench = {
  name: 'stack-files',
  async run(log) {
    const big = manyKeys(60_000);
    const atLimit = manyKeys(Math.floor((defaultStackFileLimits.maxBytes - 100) / 84), '  app:key000007: again\n');
    const raised = { ...defaultStackFileLimits, maxBytes: 10_000_000 };
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-bench-stacks-'));
    const files: Record<string, string> = {
      'Pulumi.yaml': 'name: b\nruntime: nodejs\n',
      'programs/app/index.ts': 'export default async () => {};\n',
    };
    for (let i = 0; i < 1000; i++)
      files[`stacks/s${i}.yaml`] = `program: app\ndependsOn: [${i > 0 ? `s${i - 1}` : ''}]\nconfig:\n  app:name: s${i}\n  app:size: ${i}\n`;
    writeTree(dir, files);
    const layout = layoutAt(dir);
    const rounds = { refused: [] as number[], raised: [] as number[], atLimit: [] as number[], catalogue: [] as number[] };
    try {
      for (let i = 0; i < 5; i++) {
        rounds.refused.push(cpuMs(() => parseStackFile('stacks/web.yaml', 'web', big)));
        rounds.raised.push(cpuMs(() => parseStackFile('stacks/web.yaml', 'web', big, raised)));
        rounds.atLimit.push(cpuMs(() => parseStackFile('stacks/web.yaml', 'web', atLimit)));
        const started = process.cpuUsage();
        await inspectStacks(layout);
        const used = process.cpuUsage(started);
        rounds.catalogue.push((used.user + used.system) / 1000);
        log(
          `round ${i + 1}: ${Object.entries(rounds)
            .map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)} ms`)
            .join(', ')}`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const figures = Object.fromEntries(Object.entries(rounds).map(([k, v]) => [`${k}CpuMs`, median(v)]));
    return {
      name: 'stack-files',
      lines: [
        `5 MB, 60,000 keys, default limits (refused for size): ${figures.refusedCpuMs!.toFixed(1)} ms CPU`,
        `5 MB, 60,000 keys, size limit raised (parsed):        ${figures.raisedCpuMs!.toFixed(0)} ms CPU`,
        `256 KiB with a duplicate last key (full parser):      ${figures.atLimitCpuMs!.toFixed(0)} ms CPU`,
        `1,000 small stack files (inspectStacks):              ${figures.catalogueCpuMs!.toFixed(0)} ms CPU`,
      ],
      figures,
    };
  },
};
export default bench;
