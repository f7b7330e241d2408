import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../../src/lib/map-limit.js';
import { runGit } from '../helpers/git-repo.js';
import type { S3Server } from '../helpers/s3-server.js';
import { startS3Server } from '../helpers/s3-server.js';
import { createSandbox, demoEnv, gitopsBin } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';
import type { Bench } from './bench-types.js';
import { type Measured, measure } from './measure.js';

const STACKS = 1000;
/** Deployed for real by the engine; the other stacks' records are copies of theirs, renamed. */
const REAL = 3;
/** The per-stack CLI path is measured on this many stacks (at 1,000 it runs for minutes), and scaled. */
const CLI_STACKS = 100;

const name = (i: number) => `s${String(i).padStart(4, '0')}`;

/**
 * `status --json` and a no-op `deploy --since-deployed` over 1,000 deployed stacks, on a file
 * backend and on SeaweedFS: the direct read of the backend's objects, side by side with the
 * per-stack CLI path (`GITOPS_DEPLOY_RECORDS=cli`, on the first 100 stacks). Goals: status <= 2 s,
 * deploy <= 3 s, peak <= 200 MiB.
 */
const bench: Bench = {
  name: 'status',
  async run(log) {
    const stacks = Object.fromEntries(
      Array.from({ length: STACKS }, (_, i) => [name(i), `program: local-base\nconfig:\n  local-base:basePort: ${20000 + i}\n`]),
    );
    const box = await createSandbox({ stacks });
    const stateDir = path.join(box.root, '.gitops', 'state');
    const fileEnv = { ...process.env, ...demoEnv, PULUMI_BACKEND_URL: `file://${stateDir}` } as NodeJS.ProcessEnv;
    let s3: S3Server | undefined;
    try {
      await box.write('.gitignore', 'node_modules\n.gitops/\n');
      await runGit(box.root, ['init', '-q', '-b', 'main']);
      await runGit(box.root, ['add', '-A']);
      await runGit(box.root, ['commit', '-q', '-m', `${STACKS} stacks`]);
      log(`deploying ${REAL} stacks with the engine, then copying their records to ${STACKS - REAL} more (setup, not measured)`);
      const real = Array.from({ length: REAL }, (_, i) => ['--stack', name(i)]).flat();
      const setup = await measure(process.execPath, [gitopsBin, 'deploy', ...real, '-q'], { cwd: box.root, env: fileEnv });
      if (setup.code !== 0) throw new Error(`setup deploy failed: ${setup.stderr.slice(-2000)}`);
      await replicate(stateDir);
      const runs: Record<string, Measured> = {};
      const time = async (key: string, args: string[], env: NodeJS.ProcessEnv, cwd = box.root) => {
        const r = await measure(process.execPath, [gitopsBin, ...args], { cwd, env });
        if (r.code !== 0) throw new Error(`${key} exited ${r.code}: ${r.stderr.slice(-2000)}`);
        if (args[0] === 'deploy') {
          const ran = (JSON.parse(r.stdout) as { stacks: unknown[] }).stacks.length;
          if (ran !== 0) throw new Error(`${key}: the no-op deploy ran ${ran} stacks`);
        } else {
          const states = (JSON.parse(r.stdout) as { stacks: { state: string }[] }).stacks.map((s) => s.state);
          if (states.some((s) => s !== 'up-to-date')) throw new Error(`${key}: not all up to date: ${[...new Set(states)].join(', ')}`);
        }
        runs[key] = r;
        log(`${key}: ${(r.wallMs / 1000).toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, peak ${r.peakMiB.toFixed(0)} MiB`);
      };
      const status = ['status', '--json'];
      const deploy = ['deploy', '--since-deployed', '--json', '-q'];
      await time('file.status', status, fileEnv);
      await time('file.deploy', deploy, fileEnv);

      log('starting SeaweedFS and copying the backend into a bucket (setup, not measured)');
      const weed = await ensureWeed(process.env, (line) => log(`[seaweedfs] ${line}`));
      s3 = await startS3Server({ weed: weed.binary });
      await upload(stateDir, s3);
      const s3Env = { ...process.env, ...demoEnv, ...s3.env() } as NodeJS.ProcessEnv;
      await time('s3.status', status, s3Env);
      await time('s3.deploy', deploy, s3Env);

      // The CLI path on the first CLI_STACKS stacks: a clone with only their files.
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
        await retag(smallState, head);
        const smallEnv = { ...fileEnv, PULUMI_BACKEND_URL: `file://${smallState}` };
        await time(`file.status.direct.${CLI_STACKS}`, status, smallEnv, small.root);
        await time(`file.status.cli.${CLI_STACKS}`, status, { ...smallEnv, GITOPS_DEPLOY_RECORDS: 'cli' }, small.root);
        await time(`file.deploy.cli.${CLI_STACKS}`, deploy, { ...smallEnv, GITOPS_DEPLOY_RECORDS: 'cli' }, small.root);
      } finally {
        await small.dispose();
      }
      const s = (k: string) => runs[k]!.wallMs / 1000;
      const m = (k: string) => `${runs[k]!.peakMiB.toFixed(0)} MiB, ${runs[k]!.cpuS.toFixed(1)} s CPU`;
      const perStackCli = s(`file.status.cli.${CLI_STACKS}`) / CLI_STACKS;
      return {
        name: 'status',
        lines: [
          `${STACKS} deployed stacks (${REAL} deployed by the engine, the rest copies of their records):`,
          '  command                   file backend (wall; peak, CPU)     SeaweedFS (S3)                     goal',
          `  status --json                  ${s('file.status').toFixed(2)} s, ${m('file.status')}     ${s('s3.status').toFixed(2)} s, ${m('s3.status')}     <= 2 s, 200 MiB`,
          `  deploy --since-deployed        ${s('file.deploy').toFixed(2)} s, ${m('file.deploy')}     ${s('s3.deploy').toFixed(2)} s, ${m('s3.deploy')}     <= 3 s, 200 MiB`,
          `per-stack CLI path, ${CLI_STACKS} stacks on the file backend (direct: ${s(`file.status.direct.${CLI_STACKS}`).toFixed(2)} s):`,
          `  status --json                  ${s(`file.status.cli.${CLI_STACKS}`).toFixed(2)} s (${(perStackCli * 1000).toFixed(0)} ms per stack; ${STACKS} stacks: ~${(perStackCli * STACKS).toFixed(0)} s)`,
          `  deploy --since-deployed        ${s(`file.deploy.cli.${CLI_STACKS}`).toFixed(2)} s`,
        ],
        figures: Object.fromEntries(
          Object.entries(runs).flatMap(([k, r]) => [
            [`${k}.ms`, r.wallMs] as const,
            [`${k}.cpuS`, r.cpuS] as const,
            [`${k}.peakMiB`, r.peakMiB] as const,
          ]),
        ),
      };
    } finally {
      await s3?.stop();
      await box.dispose();
    }
  },
};
export default bench;

/**
 * Copies the records of the stacks the engine deployed (state file, tags, history) to every
 * other stack, with the stack's name replaced throughout (URNs, paths): as if each had been
 * deployed from the same commit.
 */
async function replicate(stateDir: string): Promise<void> {
  const stacksDir = path.join(stateDir, '.pulumi', 'stacks', 'local-base');
  const historyDir = path.join(stateDir, '.pulumi', 'history', 'local-base');
  const sources = await Promise.all(
    Array.from({ length: REAL }, async (_, i) => {
      const from = name(i);
      const files = await readdir(path.join(historyDir, from));
      return {
        from,
        state: await readFile(path.join(stacksDir, `${from}.json`), 'utf8'),
        tags: await readFile(path.join(stacksDir, `${from}.pulumi-tags`), 'utf8'),
        history: await Promise.all(files.map(async (f) => ({ f, text: await readFile(path.join(historyDir, from, f), 'utf8') }))),
      };
    }),
  );
  const indexes = Array.from({ length: STACKS - REAL }, (_, i) => i + REAL);
  await mapLimit(indexes, 16, async (i) => {
    const src = sources[i % REAL]!;
    const to = name(i);
    const swap = (text: string) => text.split(src.from).join(to);
    await writeFile(path.join(stacksDir, `${to}.json`), swap(src.state));
    await writeFile(path.join(stacksDir, `${to}.pulumi-tags`), src.tags);
    await mkdir(path.join(historyDir, to), { recursive: true });
    for (const h of src.history) await writeFile(path.join(historyDir, to, swap(h.f)), swap(h.text));
  });
}

/** Points every stack's commit tag at `commit`. */
async function retag(stateDir: string, commit: string): Promise<void> {
  const dir = path.join(stateDir, '.pulumi', 'stacks', 'local-base');
  for (const f of await readdir(dir)) {
    if (!f.endsWith('.pulumi-tags')) continue;
    await writeFile(path.join(dir, f), JSON.stringify({ version: 1, tags: { 'gitops:commit': commit } }));
  }
}

/** Every object of a file backend, PUT into the S3 server's bucket under the same key. */
async function upload(stateDir: string, s3: S3Server): Promise<void> {
  const files = (await readdir(stateDir, { recursive: true })).map(String);
  const keys: string[] = [];
  for (const f of files) if ((await readFile(path.join(stateDir, f)).catch(() => undefined)) !== undefined) keys.push(f);
  await mapLimit(keys, 16, async (key) => {
    const body = await readFile(path.join(stateDir, key), 'utf8');
    const res = await s3.client.send('PUT', `/${s3.bucket}/${key.split(path.sep).join('/')}`, body);
    if (res.status !== 200) throw new Error(`upload ${key}: HTTP ${res.status}`);
  });
}
