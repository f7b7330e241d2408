import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordRead } from '../../src/backend-state/read-records.js';
import { openPulumiEngine } from '../../src/engine/open-engine.js';
import type { PulumiEngine } from '../../src/engine/pulumi-engine.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks } from '../../src/stacks/load.js';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { gitIn } from '../helpers/git-repo.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * The direct read of a DIY backend's records (tags, latest update, version, deployed commit)
 * gives exactly what the Pulumi CLI gives, on a file backend and on SeaweedFS, for stacks
 * deployed, updated, destroyed, renamed (by `pulumi stack rename`) and one whose last update
 * failed; and a damaged record is an error naming the stack, never "up to date".
 */
const run = promisify(execFile);
const stackAt = (port: number | string, extra = '') => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n${extra}`;

interface CliHistory {
  kind: string;
  result: string;
  message: string;
}

for (const kind of ['file', 's3'] as const) {
  describe(`deploy records read directly equal the CLI's (${kind} backend)`, () => {
    let box: Sandbox;
    let s3: S3Server | undefined;
    let stateDir: string;
    let env: Record<string, string | undefined>;
    let project: string;
    const saved: Record<string, string | undefined> = {};
    const { commit } = gitIn(() => box.root);
    const gitops = (...args: string[]): Promise<CliRun> => box.run(args, env);
    /** The Pulumi CLI itself, on the same backend: the reference the direct read must equal. */
    const pulumi = async (args: string[]): Promise<string> => {
      const merged: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true', PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true' };
      for (const [k, v] of Object.entries(env))
        if (v === undefined) delete merged[k];
        else merged[k] = v;
      const { stdout } = await run(path.join(cacheRoot(process.env), 'bin', 'pulumi'), args, { cwd: project, env: merged });
      return stdout;
    };
    const engine = async (): Promise<{ engine: PulumiEngine; stacks: Awaited<ReturnType<typeof loadStacks>>['stacks'] }> => {
      const layout = layoutAt(box.root);
      const { stacks } = await loadStacks(layout);
      const merged = { ...process.env, ...env } as NodeJS.ProcessEnv;
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
      return { engine: await openPulumiEngine({ layout, stacks, env: merged, log: () => undefined, needsSecrets: false }), stacks };
    };
    const expectOk = (r: RecordRead | undefined) => {
      if (!r?.ok) throw new Error(`expected a record: ${r && !r.ok ? r.error.message : 'none'}`);
      return r;
    };

    beforeAll(async () => {
      stateDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-records-'));
      project = path.join(stateDir, 'project');
      if (kind === 's3') {
        const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
        s3 = await startS3Server({ weed: weed.binary });
        env = s3.env();
        // The in-process reader meets the AWS SDK's default chain, which reads this process's environment.
        for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']) {
          saved[k] = process.env[k];
          process.env[k] = env[k];
        }
      } else {
        env = { PULUMI_BACKEND_URL: `file://${path.join(stateDir, 'state')}` };
      }
      await run('mkdir', ['-p', project]);
      // `pulumi stack rename` needs a project: the one the stacks are filed under.
      await writeFile(path.join(project, 'Pulumi.yaml'), 'name: local-base\nruntime: nodejs\n');
      box = await createSandbox({
        stacks: { alpha: stackAt(7300), beta: stackAt(7310, 'allowDestroy: true\n'), gamma: stackAt(7320), delta: stackAt(7330) },
      });
      await box.write('.gitignore', 'node_modules\n.gitops/\n');
      await gitIn(() => box.root).git('init', '-q', '-b', 'main');
      await commit('initial');
      const first = await gitops('deploy', '--all');
      expect(first.code, first.stderr).toBe(0);
      // Updated: a second successful deploy.
      await box.write('stacks/alpha.yaml', stackAt(7301));
      await commit('alpha moves');
      expect((await gitops('deploy', '--stack', 'alpha')).code).toBe(0);
      // Destroyed: its file deleted, the destroy allowed.
      await box.remove('stacks/beta.yaml');
      await commit('beta goes');
      const destroy = await gitops('deploy', '--base', 'HEAD~1', '--json');
      expect(destroy.code, destroy.stderr).toBe(0);
      // Failed: delta's program throws (a port that is not a number).
      await box.write('stacks/delta.yaml', stackAt('"not-a-port"'));
      await commit('delta breaks');
      expect((await gitops('deploy', '--stack', 'delta')).code).toBe(1);
      // Renamed by Pulumi: gamma's state, tags and history move to gamma2; the stack file follows.
      await pulumi(['stack', 'rename', 'organization/local-base/gamma2', '--stack', 'organization/local-base/gamma', '--non-interactive']);
      await box.write('stacks/gamma.yaml', stackAt(7320, 'stack: gamma2\n'));
      await commit('gamma is gamma2 now');
    }, 600_000);
    afterAll(async () => {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await box?.dispose();
      await s3?.stop();
      await rm(stateDir, { recursive: true, force: true });
    });

    it('finds the state where Pulumi files it: by project, with tags beside it and history by stack', async () => {
      const keys =
        kind === 's3'
          ? await s3!.client.listKeys(s3!.bucket)
          : (await run('find', ['.', '-type', 'f'], { cwd: path.join(stateDir, 'state') })).stdout.split('\n').map((l) => l.slice(2));
      expect(keys).toContain('.pulumi/meta.yaml');
      expect(keys).toContain('.pulumi/stacks/local-base/alpha.json');
      expect(keys).toContain('.pulumi/stacks/local-base/alpha.pulumi-tags');
      expect(keys.some((k) => /^\.pulumi\/history\/local-base\/alpha\/alpha-\d+\.history\.json$/.test(k))).toBe(true);
      expect(keys).toContain('.pulumi/stacks/local-base/gamma2.json');
      expect(keys).not.toContain('.pulumi/stacks/local-base/gamma.json');
    });

    it('tags, latest update, version and deployed commit equal the CLI path for every kind of stack', async () => {
      const { engine: e, stacks } = await engine();
      const beta = { ...stacks[0]!, name: 'beta', stack: 'beta' };
      const all = [...stacks, beta];
      const direct = await e.deployRecords(all);
      for (const def of all) {
        const read = expectOk(direct.get(def.name));
        const ref = `organization/${def.project}/${def.stack}`;
        const tags = JSON.parse(await pulumi(['stack', 'tag', 'ls', '--json', '--stack', ref])) as Record<string, string>;
        const history = JSON.parse(await pulumi(['stack', 'history', '--json', '--stack', ref])) as CliHistory[];
        expect(read.record?.tags, `${def.name} tags`).toEqual(
          Object.fromEntries(Object.entries(tags).filter(([k]) => !k.startsWith('pulumi:'))),
        );
        expect(read.record?.version, `${def.name} version`).toBe(history.length);
        expect(
          {
            kind: read.record?.latestUpdate?.kind,
            result: read.record?.latestUpdate?.result,
            message: read.record?.latestUpdate?.message ?? '',
          },
          `${def.name} latest update`,
        ).toEqual({ kind: history[0]!.kind, result: history[0]!.result, message: history[0]!.message ?? '' });
        expect(read.deployedCommit, `${def.name} deployed commit`).toBe(await e.lastDeployedCommitViaCli(def));
      }
      // What each scenario must show, so the equality above is not of empty records.
      const of = (n: string) => expectOk(direct.get(n));
      expect(of('alpha').record?.version).toBe(2);
      expect(of('alpha').deployedCommit).toMatch(/^[0-9a-f]{40}$/);
      expect(of('beta').deployedCommit).toBeUndefined();
      expect(of('beta').record?.latestUpdate?.kind).toBe('destroy');
      expect(of('delta').record?.latestUpdate?.result).toBe('failed');
      expect(of('delta').deployedCommit).toMatch(/^[0-9a-f]{40}$/);
      expect(of('gamma').record?.exists).toBe(true);
      // Pulumi's rename moves state and history but not the tags file: the commit then comes from the update message.
      expect(of('gamma').record?.tags).toEqual({});
      expect(of('gamma').deployedCommit).toMatch(/^[0-9a-f]{12}$/);
    });

    it('status reads them: a failed last update is said, and a damaged state file is an error naming the stack, never up to date', async () => {
      const ok = await gitops('status', '--json');
      expect(ok.code, ok.stderr).toBe(0);
      const doc = JSON.parse(ok.stdout) as { stacks: { name: string; state: string; reasons: string[] }[] };
      const delta = doc.stacks.find((s) => s.name === 'delta')!;
      expect(delta.state).toBe('behind');
      expect(delta.reasons.join('\n')).toMatch(/newest update .* failed/);
      // Cut alpha's state file in half, as a crash mid-write on a store without atomic writes would.
      const key = '.pulumi/stacks/local-base/alpha.json';
      const whole = kind === 's3' ? await s3!.client.getText(s3!.bucket, key) : await readFile(path.join(stateDir, 'state', key), 'utf8');
      const half = whole.slice(0, Math.floor(whole.length / 2));
      if (kind === 's3') await s3!.client.putText(s3!.bucket, key, half);
      else await writeFile(path.join(stateDir, 'state', key), half);
      try {
        const bad = await gitops('status', '--json');
        expect(bad.code, bad.stderr).toBe(1);
        const alpha = (JSON.parse(bad.stdout) as typeof doc).stacks.find((s) => s.name === 'alpha')!;
        expect(alpha.state).toBe('unreadable');
        expect(alpha.reasons[0]).toMatch(/^stack alpha: its state file .*alpha\.json cannot be read: it is not valid JSON/);
        const deploy = await gitops('deploy', '--since-deployed');
        expect(deploy.code).toBe(1);
        expect(deploy.stderr).toMatch(/stack alpha: its state file .*alpha\.json cannot be read/);
        expect(deploy.stdout + deploy.stderr).not.toMatch(/up.to.date/i);
      } finally {
        if (kind === 's3') await s3!.client.putText(s3!.bucket, key, whole);
        else await writeFile(path.join(stateDir, 'state', key), whole);
      }
    });
  });
}
