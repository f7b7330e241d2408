import { cp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RECORDS_INDEX_KEY } from '../../src/backend-state/records-index.js';
import { runGit } from '../helpers/git-repo.js';
import { type S3RequestCounter, startS3RequestCounter } from '../helpers/s3-request-counter.js';
import type { S3Server } from '../helpers/s3-server.js';
import { startS3Server } from '../helpers/s3-server.js';
import { createSandbox, demoEnv, gitopsBin } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';
import type { Bench } from './bench-types.js';
import { benchStackName as name, replicateRecords, retagRecords, uploadBackend } from './fixtures/status-backend.js';
import { type Measured, measure, median } from './measure.js';

/** How many deployed stacks (`BENCH_STATUS_STACKS`, default 1,000): 10 shows what a run costs that does not grow with them. */
const STACKS = Number(process.env.BENCH_STATUS_STACKS ?? 1000);
/** Deployed for real by the engine; the other stacks' records are copies of theirs, renamed. */
const REAL = 3;
/** The per-stack CLI path is measured on this many stacks (at 1,000 it runs for minutes), and scaled; 0 leaves it out. */
const CLI_STACKS = Number(process.env.BENCH_STATUS_CLI_STACKS ?? 100);

/** A run's S3 requests sent by gitops (not the engine's), per stack. */
interface Requests {
  list: number;
  get: number;
  /** Writes (the records index), heads, deletes. */
  other: number;
}

/**
 * `status --json` and a no-op `deploy --since-deployed` over 1,000 deployed stacks (BENCH_STATUS_STACKS), on a file
 * backend and on SeaweedFS (through a proxy that counts gitops' S3 requests): the direct read of
 * the backend's objects, side by side with the per-stack CLI path (`GITOPS_DEPLOY_RECORDS=cli`,
 * on the first 100 stacks) and, with BENCH_BASELINE_GITOPS, with that build's direct read
 * (BENCH_RUNS interleaved rounds). On S3, this build runs without a records index (deleted
 * before each run: the deploy then writes it) and with a fresh one (as the deploy left it).
 * BENCH_STATUS_CLI_STACKS=0 leaves the CLI path out.
 * Goals: status <= 2 s, deploy <= 3 s, peak <= 200 MiB.
 */
const bench: Bench = {
  name: 'status',
  async run(log) {
    const stacks = Object.fromEntries(
      Array.from({ length: STACKS }, (_, i) => [name(i), `program: local-base\nconfig:\n  local-base:basePort: ${20000 + i}\n`]),
    );
    const builds: [string, string][] = [['gitops', gitopsBin]];
    if (process.env.BENCH_BASELINE_GITOPS) builds.push(['baseline', process.env.BENCH_BASELINE_GITOPS]);
    const box = await createSandbox({ stacks });
    const stateDir = path.join(box.root, '.gitops', 'state');
    const fileEnv = { ...process.env, ...demoEnv, PULUMI_BACKEND_URL: `file://${stateDir}` } as NodeJS.ProcessEnv;
    let s3: S3Server | undefined;
    let counter: S3RequestCounter | undefined;
    try {
      await box.write('.gitignore', 'node_modules\n.gitops/\n');
      await runGit(box.root, ['init', '-q', '-b', 'main']);
      await runGit(box.root, ['add', '-A']);
      await runGit(box.root, ['commit', '-q', '-m', `${STACKS} stacks`]);
      log(`deploying ${REAL} stacks with the engine, then copying their records to ${STACKS - REAL} more (setup, not measured)`);
      const real = Array.from({ length: REAL }, (_, i) => ['--stack', name(i)]).flat();
      const setup = await measure(process.execPath, [gitopsBin, 'deploy', ...real, '-q'], { cwd: box.root, env: fileEnv });
      if (setup.code !== 0) throw new Error(`setup deploy failed: ${setup.stderr.slice(-2000)}`);
      await replicateRecords(stateDir, REAL, STACKS);
      const runs: Record<string, Measured> = {};
      const seen: Record<string, Measured[]> = {};
      const requests: Record<string, Requests> = {};
      const time = async (key: string, bin: string, args: string[], env: NodeJS.ProcessEnv, cwd = box.root) => {
        counter?.reset();
        const r = await measure(process.execPath, [bin, ...args], { cwd, env });
        if (r.code !== 0) throw new Error(`${key} exited ${r.code}: ${r.stderr.slice(-2000)}`);
        if (args[0] === 'deploy') {
          const ran = (JSON.parse(r.stdout) as { stacks: unknown[] }).stacks.length;
          if (ran !== 0) throw new Error(`${key}: the no-op deploy ran ${ran} stacks`);
        } else {
          const states = (JSON.parse(r.stdout) as { stacks: { state: string }[] }).stacks.map((s) => s.state);
          if (states.some((s) => s !== 'up-to-date')) throw new Error(`${key}: not all up to date: ${[...new Set(states)].join(', ')}`);
        }
        seen[key] = [...(seen[key] ?? []), r];
        runs[key] = medianOf(seen[key]!);
        let sent = '';
        if (counter) {
          const c = counter.count('gitops');
          const q = { list: c.LIST / STACKS, get: c.GET / STACKS, other: (c.HEAD + c.PUT + c.DELETE + c.OTHER) / STACKS };
          requests[key] = q;
          sent = `, ${c.LIST} LIST + ${c.GET} GET + ${c.HEAD + c.PUT + c.DELETE + c.OTHER} other S3 requests`;
        }
        log(`${key}: ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, peak ${r.peakMiB.toFixed(0)} MiB${sent}`);
      };
      const status = ['status', '--json'];
      const deploy = ['deploy', '--since-deployed', '--json', '-q'];
      // Builds interleaved, the order turned each round: the load of the machine falls on both alike.
      const rounds = (each: (build: string, bin: string) => Promise<void>) => inRounds(builds, each);
      await rounds(async (build, bin) => {
        await time(`${build}.file.status`, bin, status, fileEnv);
        await time(`${build}.file.deploy`, bin, deploy, fileEnv);
      });

      log('starting SeaweedFS and copying the backend into a bucket (setup, not measured)');
      const weed = await ensureWeed(process.env, (line) => log(`[seaweedfs] ${line}`));
      s3 = await startS3Server({ weed: weed.binary });
      const objects = await uploadBackend(stateDir, s3);
      counter = await startS3RequestCounter(s3.endpoint);
      const s3Env = {
        ...process.env,
        ...demoEnv,
        ...s3.env(),
        PULUMI_BACKEND_URL: `s3://${s3.bucket}?endpoint=${encodeURIComponent(counter.endpoint)}&use_path_style=true&region=us-east-1`,
      } as NodeJS.ProcessEnv;
      const dropIndex = async () => {
        const res = await s3!.client.send('DELETE', `/${s3!.bucket}/${RECORDS_INDEX_KEY}`);
        if (res.status !== 204 && res.status !== 200) throw new Error(`deleting the records index: HTTP ${res.status}`);
      };
      const loads: number[] = [];
      await rounds(async (build, bin) => {
        loads.push(os.loadavg()[0]!);
        // The build before knows no index; this one runs without (status never writes one; the
        // deploy, its first run, writes it), then with the one that deploy wrote.
        await dropIndex();
        await time(`${build}.s3.status`, bin, status, s3Env);
        await dropIndex();
        await time(`${build}.s3.deploy`, bin, deploy, s3Env);
        if (build !== 'gitops') return;
        await time(`${build}.s3index.status`, bin, status, s3Env);
        await time(`${build}.s3index.deploy`, bin, deploy, s3Env);
      });
      await counter.stop();
      counter = undefined;
      const listing = await s3.client.send('GET', `/${s3.bucket}?list-type=2&prefix=${encodeURIComponent(RECORDS_INDEX_KEY)}`);
      const indexKiB = Number(/<Size>(\d+)<\/Size>/.exec(listing.body)?.[1] ?? Number.NaN) / 1024;

      // The CLI path on the first CLI_STACKS stacks: a clone with only their files.
      if (CLI_STACKS > 0) {
        const small = await createSandbox({ stacks: Object.fromEntries(Object.entries(stacks).slice(0, CLI_STACKS)) });
        try {
          await small.write('.gitignore', 'node_modules\n.gitops/\n');
          await runGit(small.root, ['init', '-q', '-b', 'main']);
          await runGit(small.root, ['add', '-A']);
          await runGit(small.root, ['commit', '-q', '-m', `${CLI_STACKS} stacks`]);
          // Same tree, same commit? Not the same sha: point the copies' tags at this clone's commit.
          const head = (await runGit(small.root, ['rev-parse', 'HEAD'])).trim();
          const smallState = path.join(small.root, '.gitops', 'state');
          await cp(stateDir, smallState, { recursive: true });
          await retagRecords(smallState, head);
          const smallEnv = { ...fileEnv, PULUMI_BACKEND_URL: `file://${smallState}` };
          const cli = { ...smallEnv, GITOPS_DEPLOY_RECORDS: 'cli' };
          await time(`file.status.direct.${CLI_STACKS}`, gitopsBin, status, smallEnv, small.root);
          await time(`file.status.cli.${CLI_STACKS}`, gitopsBin, status, cli, small.root);
          await time(`file.deploy.cli.${CLI_STACKS}`, gitopsBin, deploy, cli, small.root);
        } finally {
          await small.dispose();
        }
      }
      return {
        name: 'status',
        lines: [
          ...table(runs, requests, builds, objects),
          `  records index: ${indexKiB.toFixed(0)} KiB stored; load average during the S3 rounds: ${loads.map((l) => l.toFixed(1)).join(', ')}`,
        ],
        figures: Object.fromEntries([
          ...Object.entries(runs).flatMap(([k, r]) => [
            [`${k}.ms`, r.wallMs] as const,
            [`${k}.cpuS`, r.cpuS] as const,
            [`${k}.peakMiB`, r.peakMiB] as const,
          ]),
          ...Object.entries(requests).flatMap(([k, q]) => [[`${k}.listPerStack`, q.list] as const, [`${k}.getPerStack`, q.get] as const]),
        ]),
      };
    } finally {
      await counter?.stop();
      await s3?.stop();
      await box.dispose();
    }
  },
};
export default bench;

/** BENCH_RUNS rounds (default 1) of `each` over the builds, in turned order every other round. */
async function inRounds(builds: [string, string][], each: (build: string, bin: string) => Promise<void>): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 1);
  for (let i = 0; i < runs; i++) for (const [build, bin] of i % 2 ? [...builds].reverse() : builds) await each(build, bin);
}

/** Of several runs of one command: the median wall and CPU time, the highest peak. */
function medianOf(all: Measured[]): Measured {
  return {
    ...all.at(-1)!,
    wallMs: median(all.map((r) => r.wallMs)),
    cpuS: median(all.map((r) => r.cpuS)),
    peakMiB: Math.max(...all.map((r) => r.peakMiB)),
  };
}

/** The figures side by side: each build's direct read on both backends, S3 requests per stack, and the CLI path scaled. */
function table(runs: Record<string, Measured>, requests: Record<string, Requests>, builds: [string, string][], objects: number): string[] {
  const s = (k: string) => runs[k]!.wallMs / 1000;
  const m = (k: string) => `${s(k).toFixed(2)} s, ${runs[k]!.peakMiB.toFixed(0)} MiB, ${runs[k]!.cpuS.toFixed(1)} s CPU`;
  const q = (k: string) =>
    `${requests[k]!.list.toFixed(3)} LIST + ${requests[k]!.get.toFixed(3)} GET${requests[k]!.other ? ` + ${requests[k]!.other.toFixed(3)} PUT` : ''}`;
  const lines = [
    `${STACKS} deployed stacks (${REAL} deployed by the engine, the rest copies of their records; ${objects} objects in the backend):`,
    '  build     command                   file backend (wall, peak, CPU)   SeaweedFS (wall, peak, CPU)      S3 requests per stack          goal',
  ];
  for (const [build] of builds) {
    for (const [cmd, key, goal] of [
      ['status --json', 'status', '<= 2 s, 200 MiB'],
      ['deploy --since-deployed', 'deploy', '<= 3 s, 200 MiB'],
    ] as const) {
      const noIndex = build === 'gitops' ? ' (no index)' : '';
      lines.push(
        `  ${build.padEnd(9)} ${cmd.padEnd(25)} ${m(`${build}.file.${key}`).padEnd(32)} ${m(`${build}.s3.${key}`).padEnd(32)} ${`${q(`${build}.s3.${key}`)}${noIndex}`.padEnd(30)} ${goal}`,
      );
      if (runs[`${build}.s3index.${key}`])
        lines.push(
          `  ${build.padEnd(9)} ${`${cmd}, fresh index`.padEnd(25)} ${''.padEnd(32)} ${m(`${build}.s3index.${key}`).padEnd(32)} ${q(`${build}.s3index.${key}`).padEnd(30)} ${goal}`,
        );
    }
  }
  if (builds[1]) lines.push(`  baseline: ${builds[1][1]}`);
  lines.push(`  (median wall and CPU of ${process.env.BENCH_RUNS ?? 1} interleaved rounds, highest peak)`);
  if (CLI_STACKS > 0) {
    const perStackCli = s(`file.status.cli.${CLI_STACKS}`) / CLI_STACKS;
    lines.push(
      `per-stack CLI path, ${CLI_STACKS} stacks on the file backend (direct: ${s(`file.status.direct.${CLI_STACKS}`).toFixed(2)} s):`,
      `  status --json                  ${s(`file.status.cli.${CLI_STACKS}`).toFixed(2)} s (${(perStackCli * 1000).toFixed(0)} ms per stack; ${STACKS} stacks: ~${(perStackCli * STACKS).toFixed(0)} s)`,
      `  deploy --since-deployed        ${s(`file.deploy.cli.${CLI_STACKS}`).toFixed(2)} s`,
    );
  }
  return lines;
}
