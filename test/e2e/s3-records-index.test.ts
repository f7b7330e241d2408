import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openS3Bucket } from '../../src/backend/s3-client.js';
import { type RecordRead, readStackRecords } from '../../src/backend-state/read-records.js';
import { RECORDS_INDEX_KEY } from '../../src/backend-state/records-index.js';
import { S3StateObjects } from '../../src/backend-state/s3-state-objects.js';
import type { StateObjects } from '../../src/backend-state/state-objects.js';
import { cacheRoot } from '../../src/toolchain/pulumi-cli.js';
import { gitIn } from '../helpers/git-repo.js';
import { type S3RequestCounter, startS3RequestCounter } from '../helpers/s3-request-counter.js';
import { type S3Server, startS3Server } from '../helpers/s3-server.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureWeed } from '../helpers/toolchain/seaweedfs.js';

/**
 * The records index on SeaweedFS, with the real engine: a read through the index gives exactly
 * what the full read gives for stacks deployed, updated (by gitops and outside it) after the
 * index was written, destroyed, renamed and whose last update failed; an entry whose tag does not
 * match, or a damaged index, is not used; and the requests, counted at the wire, fall to the
 * listings, the layout file and the index, plus the objects that changed.
 */
const run = promisify(execFile);
const stackAt = (port: number | string, extra = '') => `program: local-base\nconfig:\n  local-base:basePort: ${port}\n${extra}`;
const names = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

describe('the records index on S3', () => {
  let s3: S3Server;
  let counter: S3RequestCounter;
  let box: Sandbox;
  let stateDir: string;
  let indexed: S3StateObjects;
  const { commit } = gitIn(() => box.root);
  const backendUrl = () => `s3://${s3.bucket}?endpoint=${encodeURIComponent(counter.endpoint)}&use_path_style=true&region=us-east-1`;
  const env = () => ({ ...s3.env(), PULUMI_BACKEND_URL: backendUrl() });
  const gitops = (...args: string[]): Promise<CliRun> => box.run(args, env());
  const pulumi = async (args: string[]): Promise<void> => {
    const merged: NodeJS.ProcessEnv = { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true', PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true' };
    for (const [k, v] of Object.entries(env()))
      if (v === undefined) delete merged[k];
      else merged[k] = v;
    await run(path.join(cacheRoot(process.env), 'bin', 'pulumi'), args, { cwd: stateDir, env: merged });
  };
  /** The same store without an index: every object read, as before the index existed. */
  const unindexed = (): StateObjects => ({
    list: (p) => indexed.list(p),
    read: (k) => indexed.read(k),
    readTagged: (k) => indexed.readTagged(k),
    modifiedAt: (o) => indexed.modifiedAt(o),
    where: (k) => indexed.where(k),
  });
  const requests = names.map((n) => ({ name: n, project: 'local-base', stack: n === 'gamma' ? 'gamma2' : n }));
  const read = (objects: StateObjects, index: 'read' | 'write' = 'read'): Promise<Map<string, RecordRead>> =>
    readStackRecords(objects, requests, 8, {}, index);
  const gets = () => counter.seen().filter((r) => r.sender === 'gitops' && r.kind === 'GET');
  /**
   * What `status` fetched for the catalogue's stacks, sorted. beta, deleted from the catalogue, is
   * read on its own by the deleted-stacks check (a few stacks: their own folders, no index), which
   * reads the layout file once more.
   */
  const catalogueGets = () =>
    gets()
      .map((r) => r.key)
      .filter((k) => !k.includes('/beta'))
      .sort();
  const storedIndex = async (): Promise<{ version: number; objects: Record<string, { kind: string; etag: string; value: unknown }> }> => {
    const bytes = await indexed.read(RECORDS_INDEX_KEY);
    if (!bytes) throw new Error('no index stored');
    return JSON.parse(gunzipSync(bytes).toString('utf8'));
  };
  const deleteIndex = async () => {
    const res = await s3.client.send('DELETE', `/${s3.bucket}/${RECORDS_INDEX_KEY}`);
    expect([200, 204]).toContain(res.status);
  };
  const status = async () => {
    counter.reset();
    const r = await gitops('status', '--json');
    expect([0, 1], r.stderr).toContain(r.code);
    return { code: r.code, doc: JSON.parse(r.stdout) as { stacks: { name: string; state: string; reasons: string[] }[] } };
  };

  beforeAll(async () => {
    const weed = await ensureWeed(process.env, (line) => void process.stderr.write(`[seaweedfs] ${line}\n`));
    s3 = await startS3Server({ weed: weed.binary });
    counter = await startS3RequestCounter(s3.endpoint);
    indexed = new S3StateObjects(await openS3Bucket(backendUrl(), s3.credentials));
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'gitops-index-'));
    // `pulumi stack rename` and `stack tag set` need a project: the one the stacks are filed under.
    await writeFile(path.join(stateDir, 'Pulumi.yaml'), 'name: local-base\nruntime: nodejs\n');
    box = await createSandbox({
      stacks: Object.fromEntries(names.map((n, i) => [n, stackAt(7400 + 10 * i, n === 'beta' ? 'allowDestroy: true\n' : '')])),
    });
    await box.write('.gitignore', 'node_modules\n.gitops/\n');
    await gitIn(() => box.root).git('init', '-q', '-b', 'main');
    await commit('initial');
    const first = await gitops('deploy', '--all');
    expect(first.code, first.stderr).toBe(0);
    // A no-op deploy job: it writes the index (status never does).
    const noop = await gitops('deploy', '--since-deployed', '--json');
    expect(noop.code, noop.stderr).toBe(0);
    expect(JSON.parse(noop.stdout).stacks).toEqual([]);
    // Then, after the index was written: updated by gitops, destroyed, a failed update, renamed and
    // retagged outside gitops. epsilon and zeta stay as they were.
    await box.write('stacks/alpha.yaml', stackAt(7401));
    await commit('alpha moves');
    expect((await gitops('deploy', '--stack', 'alpha')).code).toBe(0);
    await box.remove('stacks/beta.yaml');
    await commit('beta goes');
    const destroy = await gitops('deploy', '--base', 'HEAD~1');
    expect(destroy.code, destroy.stderr).toBe(0);
    await box.write('stacks/delta.yaml', stackAt('"not-a-port"'));
    await commit('delta breaks');
    expect((await gitops('deploy', '--stack', 'delta')).code).toBe(1);
    await pulumi(['stack', 'rename', 'organization/local-base/gamma2', '--stack', 'organization/local-base/gamma', '--non-interactive']);
    await box.write('stacks/gamma.yaml', stackAt(7420, 'stack: gamma2\n'));
    await commit('gamma is gamma2 now');
    await pulumi(['stack', 'tag', 'set', 'team', 'platform', '--stack', 'organization/local-base/epsilon']);
  }, 900_000);
  afterAll(async () => {
    await box?.dispose();
    await counter?.stop();
    await s3?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it('only deploy writes the index; status reads it and never writes', async () => {
    const before = await storedIndex();
    expect(before.version).toBe(1);
    // Written at the no-op deploy: every stack's state, tags and newest update, under their tags.
    for (const n of names) expect(before.objects[`.pulumi/stacks/local-base/${n}.json`]?.kind, n).toBe('state');
    await status();
    expect(counter.seen().filter((r) => r.sender === 'gitops' && r.kind !== 'LIST' && r.kind !== 'GET')).toEqual([]);
  });

  it('a stale index gives exactly the full read, fetching only what changed since it was written', async () => {
    counter.reset();
    const full = await read(unindexed());
    const fullGets = gets().length;
    counter.reset();
    const viaIndex = await read(indexed);
    expect(viaIndex).toEqual(full);
    // What each scenario shows, so the equality is not of empty records.
    const of = (n: string) => {
      const r = viaIndex.get(n);
      if (!r?.ok) throw new Error(`${n}: ${r && !r.ok ? r.error.message : 'no read'}`);
      return r;
    };
    expect(of('alpha').record?.version).toBe(2);
    expect(of('beta').deployedCommit).toBeUndefined();
    expect(of('beta').record?.latestUpdate?.kind).toBe('destroy');
    expect(of('delta').record?.latestUpdate?.result).toBe('failed');
    expect(of('gamma').record?.exists).toBe(true);
    expect(of('epsilon').record?.tags.team).toBe('platform');
    expect(of('zeta').deployedCommit).toMatch(/^[0-9a-f]{40}$/);
    // zeta is untouched: none of its objects is fetched. The others' changed objects are.
    const fetched = gets().map((r) => r.key);
    expect(fetched.filter((k) => k.includes('zeta'))).toEqual([]);
    expect(fetched).toContain('.pulumi/stacks/local-base/epsilon.pulumi-tags');
    expect(fetched).not.toContain('.pulumi/stacks/local-base/epsilon.json');
    expect(fetched).toContain('.pulumi/stacks/local-base/alpha.json');
    expect(fetched.length).toBeLessThan(fullGets);
  });

  it('a fresh index: status costs the listings, the layout file and the index, and k changed stacks their changed objects', async () => {
    const full = await read(unindexed());
    await read(indexed, 'write');
    const after = await storedIndex();
    // Every entry is of an object still in the backend: the renamed stack's moved state left the index (Pulumi leaves its tags file behind).
    const inBackend = new Set(await s3.client.listKeys(s3.bucket));
    expect(Object.keys(after.objects).filter((k) => !inBackend.has(k))).toEqual([]);
    expect(after.objects['.pulumi/stacks/local-base/gamma.json']).toBeUndefined();
    expect(after.objects['.pulumi/stacks/local-base/gamma2.json']?.kind).toBe('state');
    expect(await read(indexed)).toEqual(full);
    const fresh = await status();
    expect(catalogueGets()).toEqual([RECORDS_INDEX_KEY, '.pulumi/meta.yaml', '.pulumi/meta.yaml']);
    await deleteIndex();
    const without = await status();
    expect(gets().length).toBeGreaterThan(3 * (names.length - 1));
    expect(fresh).toEqual(without);
    expect(fresh.doc.stacks.find((s) => s.name === 'delta')?.reasons.join('\n')).toMatch(/newest update .* failed/);
    // Two stacks change outside gitops: their tags files alone are fetched.
    await read(indexed, 'write');
    for (const s of ['epsilon', 'zeta']) await pulumi(['stack', 'tag', 'set', 'team', 'data', '--stack', `organization/local-base/${s}`]);
    await status();
    expect(catalogueGets()).toEqual(
      [
        RECORDS_INDEX_KEY,
        '.pulumi/meta.yaml',
        '.pulumi/meta.yaml',
        '.pulumi/stacks/local-base/epsilon.pulumi-tags',
        '.pulumi/stacks/local-base/zeta.pulumi-tags',
      ].sort(),
    );
  });

  it('an entry whose tag does not match the listing is not used, even when it says otherwise', async () => {
    await read(indexed, 'write');
    const stored = await storedIndex();
    const key = '.pulumi/stacks/local-base/zeta.pulumi-tags';
    const real = stored.objects[key]!;
    // A forged commit under a tag the listing does not give; and a state entry filed under the tags file's key.
    stored.objects[key] = { ...real, etag: '"0123456789abcdef0123456789abcdef"', value: { 'gitops:commit': 'f'.repeat(40) } };
    stored.objects['.pulumi/stacks/local-base/epsilon.pulumi-tags'] = {
      ...stored.objects['.pulumi/stacks/local-base/epsilon.json']!,
      etag: stored.objects['.pulumi/stacks/local-base/epsilon.pulumi-tags']!.etag,
    };
    await s3.client.putText(s3.bucket, RECORDS_INDEX_KEY, JSON.stringify(stored));
    counter.reset();
    const reads = await read(indexed);
    expect(reads).toEqual(await read(unindexed()));
    const zeta = reads.get('zeta');
    expect(zeta?.ok && zeta.deployedCommit).not.toBe('f'.repeat(40));
    expect(gets().map((r) => r.key)).toContain(key);
  });

  it('two writers racing a change: whichever wins, the index read equals the full read', async () => {
    await read(indexed, 'write');
    await Promise.all([
      read(indexed, 'write'),
      pulumi(['stack', 'tag', 'set', 'team', 'race', '--stack', 'organization/local-base/zeta']),
      read(indexed, 'write'),
    ]);
    await Promise.all([read(indexed, 'write'), read(indexed, 'write')]);
    const viaIndex = await read(indexed);
    expect(viaIndex).toEqual(await read(unindexed()));
    const zeta = viaIndex.get('zeta');
    expect(zeta?.ok && zeta.record?.tags.team).toBe('race');
  });

  it('a state file cut short after the index was written is read, and an error naming the stack: never up to date', async () => {
    await read(indexed, 'write');
    const key = '.pulumi/stacks/local-base/zeta.json';
    const whole = await s3.client.getText(s3.bucket, key);
    await s3.client.putText(s3.bucket, key, whole.slice(0, Math.floor(whole.length / 2)));
    try {
      const r = await status();
      expect(r.code).toBe(1);
      const zeta = r.doc.stacks.find((s) => s.name === 'zeta')!;
      expect(zeta.state).toBe('unreadable');
      expect(zeta.reasons[0]).toMatch(/^stack zeta: its state file .*zeta\.json cannot be read: it is not valid JSON/);
    } finally {
      await s3.client.putText(s3.bucket, key, whole);
    }
  });

  it('a damaged, cut short, foreign-version or wrongly shaped index is not used: the full read, the same status', async () => {
    await deleteIndex();
    const expected = await status();
    await read(indexed, 'write');
    const good = (await indexed.read(RECORDS_INDEX_KEY))!;
    const text = gunzipSync(good).toString('utf8');
    for (const [what, body] of [
      ['not JSON', 'garbage'],
      ['cut short', text.slice(0, Math.floor(text.length / 2))],
      ['another version', text.replace('"version":1', '"version":99')],
      [
        'wrong shape',
        JSON.stringify({ version: 1, objects: { '.pulumi/stacks/local-base/zeta.json': { kind: 'state', etag: 'x', value: 7 } } }),
      ],
    ] as const) {
      await s3.client.putText(s3.bucket, RECORDS_INDEX_KEY, body);
      const r = await status();
      expect(r, what).toEqual(expected);
      expect(gets().length, what).toBeGreaterThan(3 * (names.length - 1));
    }
  });
});
