import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * Two runners (two separate copies of the repository, as two CI jobs would have) deploy the
 * same stack on one S3 state at the same moment, 20 times, each time with a new setting so the
 * update does real work. Exactly one must win each round: the other exits 1 with STACK_LOCKED
 * naming the holder. Never both, and never neither.
 *
 * Pulumi's own lock alone failed the "never neither" half: it lists the lock folder, writes its
 * lock, and lists again, so two runners that start together can each see the other's lock and
 * both give up (2 rounds in 40 here). gitops therefore takes a lock of its own first, one
 * conditional write (`If-None-Match: *`) of `.gitops/locks/<project>/<stack>.json` in the bucket,
 * which the store grants to exactly one writer.
 */
const ROUNDS = 20;

// The program holds the stack's lock a little longer (as a cloud resource would), so the two
// updates overlap even when one runner starts a moment later than the other.
const slowProgram = `import * as pulumi from '@pulumi/pulumi';
import { demoDir, LocalFile } from '../shared/local-file.js';

export default async function program(): Promise<Record<string, unknown>> {
  const round = new pulumi.Config().requireNumber('round');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  new LocalFile('settings', { path: \`\${demoDir(pulumi.getStack())}/settings.json\`, content: \`{"round": \${round}}\\n\` });
  return { round };
}
`;
const stackFile = (round: number) => `program: slow-settings\nconfig:\n  slow-settings:round: ${round}\n`;

interface DeployDoc {
  stacks: { name: string; status: string; error?: { code: string; message: string } }[];
}

interface Round {
  round: number;
  runs: TimedRun[];
}

/** A run and when it started and ended (ms since the round began), to tell overlapping wins from serial ones. */
type TimedRun = CliRun & { from: number; to: number };

/**
 * `ok` when exactly one run won and the other exited 1 with STACK_LOCKED naming the holder (user,
 * host, PID, age and command) as still running, credentials nowhere; else what went wrong.
 */
function verdict(runs: TimedRun[], s3: S3Server): string {
  const winners = runs.filter((r) => r.code === 0);
  if (winners.length === 2) return `BOTH WON (runs from ${runs.map((r) => `${r.from}-${r.to} ms`).join(' and ')})`;
  if (winners.length === 0) return `none won: ${runs.map((r) => `exit ${r.code}: ${errorOf(r)}`).join(' | ')}`;
  const loser = runs.find((r) => r.code !== 0)!;
  const error = (JSON.parse(loser.stdout) as DeployDoc).stacks.find((s) => s.name === 'race')?.error;
  if (loser.code !== 1 || error?.code !== 'STACK_LOCKED') return `loser exit ${loser.code}: ${errorOf(loser)}`;
  const holder = /locked by another run: created by \S+@\S+ \(pid (\d+)\) at \S+ \(\d+s ago\); command: \S*node \S+gitops\.js deploy --all/;
  if (!holder.test(error.message)) return `holder not named: ${error.message}`;
  if (!error.message.includes('still running on this host')) return `holder not seen running: ${error.message}`;
  if ([s3.credentials.accessKeyId, s3.credentials.secretAccessKey].some((c) => loser.stdout.includes(c) || loser.stderr.includes(c))) {
    return 'credentials printed';
  }
  return 'ok';
}

function errorOf(r: CliRun): string {
  try {
    const error = (JSON.parse(r.stdout) as DeployDoc).stacks[0]?.error;
    return error ? `${error.code} ${error.message.split('\n')[0]}` : 'no error';
  } catch {
    return r.stderr.trim().split('\n').slice(-3).join(' / ');
  }
}

describe('two runners racing on one S3 state', () => {
  let s3: S3Server;
  let runners: Sandbox[] = [];
  const deploy = (box: Sandbox): Promise<CliRun> => box.run(['deploy', '--all', '--json', '--quiet'], s3.env());

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    for (let i = 0; i < 2; i++) {
      const box = await createSandbox({ stacks: { race: stackFile(0) } });
      await box.write('programs/slow-settings/index.ts', slowProgram);
      runners.push(box);
    }
    // The stack exists before the race: creating it is not what is raced.
    const first = await deploy(runners[0]!);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(async () => {
    await Promise.all(runners.map((b) => b.dispose()));
    runners = [];
    await s3?.stop();
  });

  it(
    `two simultaneous deploys, ${ROUNDS} times: exactly one wins each time, and the other is told who holds the lock`,
    async () => {
      const rounds: Round[] = [];
      const started = Date.now();
      for (let round = 1; round <= ROUNDS; round++) {
        await Promise.all(runners.map((b) => b.write('stacks/race.yaml', stackFile(round))));
        const t0 = Date.now();
        const timed = (box: Sandbox) => deploy(box).then((r): TimedRun => ({ ...r, from: 0, to: Date.now() - t0 }));
        rounds.push({ round, runs: await Promise.all(runners.map(timed)) });
      }
      const secs = (Date.now() - started) / 1000;
      process.stderr.write(`[race] ${ROUNDS} rounds in ${secs.toFixed(0)} s (${(secs / ROUNDS).toFixed(1)} s a round)\n`);

      // Every round is judged first, so a failure shows them all.
      const verdicts = rounds.map(({ round, runs }) => `round ${round}: ${verdict(runs, s3)}`);
      process.stderr.write(`[race] ${verdicts.join('; ')}\n`);
      expect(verdicts.filter((v) => !v.endsWith(': ok'))).toEqual([]);
      // Both locks are gone once the rounds are over: the winner released its own, and Pulumi's.
      expect(await s3.client.listKeys(s3.bucket, '.pulumi/locks/')).toEqual([]);
      expect(await s3.client.listKeys(s3.bucket, '.gitops/locks/')).toEqual([]);
    },
    20 * 60_000,
  );
});
