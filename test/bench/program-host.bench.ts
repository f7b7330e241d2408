import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostPluginDir } from '../../src/program-host/plugin-dir.js';
import { encodeHostSettings } from '../../src/program-host/settings.js';
import { repoRoot } from '../helpers/sandbox.js';
import type { Bench } from './bench-types.js';
import { median } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

/** Spawns `cmd` and resolves with the milliseconds until its first line on stdout; then kills it. */
function untilFirstLine(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (!d.includes('\n')) return;
      const ms = performance.now() - started;
      child.kill('SIGKILL');
      resolve(ms);
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`${cmd} exited ${code} before its first line: ${err.slice(-2000)}`)));
  });
}

/**
 * What running each program in a process of its own costs per stack operation: the program
 * host's start-up (Node, the gitops host bundle, `@pulumi/pulumi`'s runtime and gRPC, the
 * TypeScript loader) until it serves the engine, against a bare `node` start. Interleaved,
 * medians of BENCH_RUNS. Compare with the no-op preview of the `preview` bench (seconds).
 */
const bench: Bench = {
  name: 'program-host',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-host-bench-'));
    try {
      const env = {
        ...process.env,
        ...encodeHostSettings({
          program: path.join(repoRoot, 'programs', 'local-base', 'index.ts'),
          cwd: repoRoot,
        }),
      };
      const host = path.join(hostPluginDir(), 'pulumi-language-gitops');
      const hostMs: number[] = [];
      const nodeMs: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const h = await untilFirstLine(host, ['127.0.0.1:1'], env);
        const n = await untilFirstLine(process.execPath, ['-e', 'console.log(0)'], env);
        if (i === 0) continue;
        hostMs.push(h);
        nodeMs.push(n);
        log(`run ${i}/${RUNS}: host ${h.toFixed(0)} ms, node ${n.toFixed(0)} ms`);
      }
      const h = median(hostMs);
      const n = median(nodeMs);
      return {
        name: 'program-host',
        lines: [
          `program host start-up until it serves the engine, medians of ${RUNS} interleaved runs (load ${os.loadavg()[0]!.toFixed(1)}):`,
          `  pulumi-language-gitops: ${h.toFixed(0)} ms; node -e: ${n.toFixed(0)} ms; the host's own cost ${(h - n).toFixed(0)} ms`,
        ],
        figures: { hostStartMs: Math.round(h), nodeStartMs: Math.round(n) },
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
export default bench;
