import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRef } from '../../src/processes/process-reaper.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import type { CliRun } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';
import { createFaultBox, type FaultBox, stillRunning, urnOf, waitFor } from './fault-box.js';

/**
 * The kill sweep: a deploy in one checkout is stopped mid-create by SIGKILL, SIGTERM or SIGINT,
 * to its process group (a cancelled CI job) or to its pid alone; a runner in a second checkout
 * of the same repository, on the same state, then takes over by following the messages. Each
 * case asserts no orphaned process, no duplicated resource, and counts the steps that needed
 * a person (any command other than `deploy`): none for TERM and INT, at most the one `recover`
 * decision for a SIGKILL mid-create. On a shared file backend and on SeaweedFS's S3.
 */
type Signal = 'SIGKILL' | 'SIGTERM' | 'SIGINT';
const cases: { signal: Signal; to: 'group' | 'pid' }[] = [
  { signal: 'SIGKILL', to: 'group' },
  { signal: 'SIGKILL', to: 'pid' },
  { signal: 'SIGTERM', to: 'group' },
  { signal: 'SIGTERM', to: 'pid' },
  { signal: 'SIGINT', to: 'group' },
];
const names = ['steady', 'adopted', 'never'];

interface Backend {
  env: Record<string, string>;
  /** The stack's checkpoint: resources and pending operations (URNs). */
  state(stack: string): Promise<{ resources: string[]; pending: string[] }>;
  stop(): Promise<void>;
}

type Checkpoint = { checkpoint: { latest?: { resources?: { urn: string }[]; pending_operations?: { resource: { urn: string } }[] } } };
const checkpointOf = (text: string) => {
  const latest = (JSON.parse(text) as Checkpoint).checkpoint.latest ?? {};
  return { resources: (latest.resources ?? []).map((r) => r.urn), pending: (latest.pending_operations ?? []).map((p) => p.resource.urn) };
};

async function fileBackend(): Promise<Backend> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-sweep-state-'));
  return {
    env: { PULUMI_BACKEND_URL: `file://${dir}` },
    state: async (stack) => checkpointOf(readFileSync(path.join(dir, '.pulumi', 'stacks', 'slow-files', `${stack}.json`), 'utf8')),
    stop: () => rm(dir, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend> {
  const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
  const s3: S3Server = await startS3Server({ weed: weed.binary });
  return {
    env: s3.env() as Record<string, string>,
    state: async (stack) => checkpointOf(await s3.client.getText(s3.bucket, `.pulumi/stacks/slow-files/${stack}.json`)),
    stop: () => s3.stop(),
  };
}

/**
 * The second checkout follows the messages until a deploy succeeds: `unlock` for a lock, a
 * `recover` for pending creates (adopting what exists, forgetting what does not). Returns the
 * steps a person had to take.
 */
async function takeOver(b: FaultBox, a: FaultBox, backend: Backend, stack: string): Promise<{ steps: string[]; last: CliRun }> {
  const steps: string[] = [];
  for (let round = 0; round < 4; round++) {
    const r = await b.gitops('deploy', '--stack', stack, '--json');
    if (r.code === 0) return { steps, last: r };
    const code = (JSON.parse(r.stdout) as { stacks: { error?: { code: string } }[] }).stacks[0]?.error?.code;
    if (code === 'STACK_LOCKED') {
      steps.push('unlock');
      expect((await b.gitops('unlock', '--stack', stack)).code).toBe(0);
    } else if (code === 'PENDING_OPERATIONS') {
      steps.push('recover');
      const { pending } = await backend.state(stack);
      const args = ['recover', '--stack', stack];
      for (const urn of pending) {
        const name = urn.slice(urn.lastIndexOf('::') + 2);
        const made = readdirSync(a.files).find((f) => f.startsWith(`${name}-`));
        args.push(...(made ? ['--import', `${urn}=${path.join(a.files, made)}`] : ['--forget', urn]));
      }
      const rec = await b.gitops(...args);
      expect(rec.code, rec.stderr).toBe(0);
    } else throw new Error(`deploy from the second checkout failed: ${r.stderr}`);
  }
  throw new Error('the second checkout never got a deploy through');
}

describe.each([
  ['a shared file backend', fileBackend],
  ['S3 (SeaweedFS)', s3Backend],
] as const)('kill sweep on %s', (_label, open) => {
  let backend: Backend;
  const boxes: FaultBox[] = [];

  beforeAll(async () => {
    backend = await open();
  });
  afterAll(async () => {
    for (const b of boxes) await b.box.dispose();
    await backend?.stop();
  });

  it.each(cases)('$signal to the $to mid-create, taken over from a second checkout', async ({ signal, to }) => {
    const stack = `sweep-${signal.slice(3).toLowerCase()}-${to}`;
    const a = await createFaultBox(stack, 8_000, backend.env);
    const b = await createFaultBox(stack, 8_000, backend.env);
    boxes.push(a, b);
    // One stack, one set of resources: the second checkout's stack file is the first's.
    await b.box.write(`stacks/${stack}.yaml`, readFileSync(path.join(a.box.root, 'stacks', `${stack}.yaml`), 'utf8'));
    const run = a.start('deploy', '--stack', stack);
    let seen: ProcessRef[] = [];
    try {
      await waitFor(
        'both slow creates to begin',
        () => existsSync(path.join(a.files, '.creating-adopted')) && existsSync(path.join(a.files, '.creating-never')),
      );
      await waitFor('the plugins to be watched', () => a.recorded().length >= 3);
    } finally {
      seen = a.recorded();
      if (to === 'group') run.killGroup(signal);
      else run.kill(signal);
    }
    const killed = await run.done;
    if (signal === 'SIGKILL') expect(killed.signal).toBe('SIGKILL');
    else expect(killed.code, killed.stderr).toBe(130);

    const { steps, last } = await takeOver(b, a, backend, stack);
    expect(last.code).toBe(0);
    // No person for a cancel; one recover decision at most for a kill mid-create.
    if (signal === 'SIGKILL') expect(steps.filter((s) => s !== 'recover')).toEqual([]);
    else expect(steps).toEqual([]);
    expect(steps.length).toBeLessThanOrEqual(1);
    // No orphan: every process of the stopped run is gone (the second checkout reaped what was left).
    await waitFor('the stopped run’s processes to be gone', () => stillRunning(seen).length === 0, 10_000);
    // No duplicate: each resource exists once, and the state tracks it once, with nothing pending.
    const s = await backend.state(stack);
    expect(s.pending).toEqual([]);
    for (const name of names) {
      expect(a.instances(name), name).toHaveLength(1);
      expect(
        s.resources.filter((u) => u === urnOf(stack, name)),
        name,
      ).toHaveLength(1);
    }
  });
});
