import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseImport } from '../../src/actions/recover.js';
import {
  type DeploymentState,
  pendingOperationsError,
  pendingOperationsOf,
  readCheckpoint,
} from '../../src/backend-state/pending-operations.js';
import { checkDecisions, repairDeployment } from '../../src/engine/recover-state.js';
import { exitCodeFor } from '../../src/errors/exit-codes.js';
import { programName } from '../../src/processes/process-reaper.js';
import { describeHolder, lockedError, parseLockMessage, readLockFiles } from '../../src/state-lock/lock-holder.js';

/** The pure halves of crash safety; the real engine's side is in test/faults. */
const type = 'pulumi-nodejs:dynamic/gitops:faults:SlowFile:Resource';
const urn = (name: string): string => `urn:pulumi:s::p::${type}::${name}`;
const providerUrn = 'urn:pulumi:s::p::pulumi:providers:pulumi-nodejs::default';

function deployment(): DeploymentState {
  return {
    manifest: { time: '2026-11-27T11:32:02.277039429Z' },
    resources: [
      { urn: 'urn:pulumi:s::p::pulumi:pulumi:Stack::p-s', type: 'pulumi:pulumi:Stack' },
      { urn: providerUrn, type: 'pulumi:providers:pulumi-nodejs', id: 'new-provider-id' },
    ],
    pending_operations: [
      {
        type: 'creating',
        resource: {
          urn: urn('made'),
          type,
          inputs: { __provider: 'serialized', name: 'made' },
          provider: `${providerUrn}::old-provider-id`,
        },
      },
      { type: 'creating', resource: { urn: urn('never'), type, inputs: { name: 'never' } } },
      { type: 'updating', resource: { urn: urn('edited'), type } },
    ],
  };
}

describe('pending operations', () => {
  it('are read with what, which resource and when, and stop the stack naming each one', () => {
    const pending = pendingOperationsOf(deployment());
    expect(pending.map((p) => `${p.operation} ${p.urn}`)).toEqual([
      `creating ${urn('made')}`,
      `creating ${urn('never')}`,
      `updating ${urn('edited')}`,
    ]);
    const error = pendingOperationsError('s', pending);
    expect(error.code).toBe('PENDING_OPERATIONS');
    expect(exitCodeFor(error)).toBe(1);
    expect(error.message).toBe('stack s has 3 pending operations from an interrupted run; nothing was run over them');
    expect(error.details[0]).toBe(`creating made (${type}), interrupted by 2026-11-27T11:32:02Z: ${urn('made')}`);
    expect(error.hint).toContain('`gitops recover --stack s --import URN=<its ID>`');
    expect(error.hint).toContain('`gitops recover --stack s --forget URN`');
  });

  it('a file backend checkpoint is read directly; a stack without state has none', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-checkpoint-'));
    const file = path.join(dir, 's.json');
    expect(await readCheckpoint(file)).toBeUndefined();
    await writeFile(file, JSON.stringify({ version: 3, checkpoint: { stack: 's', latest: deployment() } }));
    expect(pendingOperationsOf(await readCheckpoint(file))).toHaveLength(3);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('recover decisions', () => {
  const pending = pendingOperationsOf(deployment());

  it('every pending operation must be named once; --import only adopts creates; unknown URNs are refused', () => {
    expect(() =>
      checkDecisions('s', pending, { imports: [{ urn: urn('made'), id: 'i-1' }], forgets: [urn('never'), urn('edited')] }),
    ).not.toThrow();
    let error: unknown;
    try {
      checkDecisions('s', pending, { imports: [{ urn: urn('edited'), id: 'x' }], forgets: [urn('ghost'), urn('ghost')] });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'USAGE' });
    expect((error as { details: string[] }).details).toEqual([
      `${urn('ghost')}: named more than once`,
      `${urn('ghost')}: not a pending operation of stack s`,
      `${urn('ghost')}: not a pending operation of stack s`,
      `${urn('edited')}: --import adopts pending creates only; this one is updating (use --forget)`,
      `not decided: creating made (${type}), interrupted by 2026-11-27T11:32:02Z: ${urn('made')}`,
      `not decided: creating never (${type}), interrupted by 2026-11-27T11:32:02Z: ${urn('never')}`,
    ]);
  });

  it('adopting moves the create into the resources with its ID, inputs as outputs, the provider reference current', () => {
    const repaired = repairDeployment(deployment(), { imports: [{ urn: urn('made'), id: 'i-1' }], forgets: [urn('never'), urn('edited')] });
    expect(repaired.pending_operations).toEqual([]);
    expect(repaired.resources).toHaveLength(3);
    expect(repaired.resources![2]).toMatchObject({
      urn: urn('made'),
      id: 'i-1',
      outputs: { __provider: 'serialized', name: 'made' },
      provider: `${providerUrn}::new-provider-id`,
    });
  });

  it('--import takes URN=ID, splitting after the resource name (IDs may hold "=")', () => {
    expect(parseImport(`${urn('made')}=abc=def`)).toEqual({ urn: urn('made'), id: 'abc=def' });
    expect(() => parseImport('made=abc')).toThrow(/expected URN=ID/);
    expect(() => parseImport(`${urn('made')}=`)).toThrow(/expected URN=ID/);
  });
});

describe('lock holders', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a holder on another host: named with user, host, pid, age; unlocking needs --force', () => {
    const now = Date.parse('2026-11-27T10:10:00Z');
    const [holder] = parseLockMessage(
      'error: the stack is currently locked by 1 lock(s).\n  s3://state/.pulumi/locks/organization/p/s/7c2b.json: created by ci@runner-7 (pid 4242) at 2026-11-27T10:00:00Z',
    );
    expect(holder).toMatchObject({ username: 'ci', hostname: 'runner-7', pid: 4242, state: 'remote' });
    expect(describeHolder(holder!, now)).toBe(
      'created by ci@runner-7 (pid 4242) at 2026-11-27T10:00:00Z (10 min ago); command: unknown; on another host: whether it still runs cannot be checked from here',
    );
    expect(lockedError('s', [holder!], undefined, now).hint).toContain('gitops unlock --stack s --force');
  });

  it('on this host: this very process is alive (with its command); a pid that no longer runs is dead', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-locks-'));
    const locks = path.join(dir, '.pulumi', 'locks', 'organization', 'p', 's');
    await mkdir(locks, { recursive: true });
    const hostname = os.hostname();
    await writeFile(
      path.join(locks, 'a.json'),
      JSON.stringify({ pid: process.pid, username: 'me', hostname, timestamp: new Date().toISOString() }),
    );
    await writeFile(path.join(locks, 'a.json.attrs'), '{}');
    const holders = readLockFiles(dir, 'p', 's');
    expect(holders).toHaveLength(1);
    expect(holders[0]).toMatchObject({ pid: process.pid, state: 'alive' });
    expect(holders[0]!.command).toContain('node');
    expect(lockedError('s', holders).hint).toBe('another run of this stack is in progress: wait for it to finish');
    // This process started after a lock taken in 2020, so it cannot be its holder: the pid was reused.
    await writeFile(
      path.join(locks, 'a.json'),
      JSON.stringify({ pid: process.pid, username: 'me', hostname, timestamp: '2020-01-01T00:00:00Z' }),
    );
    expect(readLockFiles(dir, 'p', 's')[0]).toMatchObject({ state: 'dead' });
    expect(lockedError('s', readLockFiles(dir, 'p', 's')).hint).toBe(
      'the run that took the lock is dead: clear it with `gitops unlock --stack s`',
    );
    // Off a file backend unlock cannot read the lock: the hint says --force.
    expect(lockedError('s', readLockFiles(dir, 'p', 's'), undefined, Date.now(), false).hint).toBe(
      'the run that took the lock is dead: clear it with `gitops unlock --stack s --force`',
    );
  });

  it('leftover processes are named by their program', () => {
    expect(programName('/bin/sh /root/.pulumi/versions/3.248.0/bin/pulumi-resource-pulumi-nodejs 127.0.0.1:1')).toBe(
      'bin/pulumi-resource-pulumi-nodejs',
    );
    expect(programName('node /x/@pulumi/pulumi/cmd/dynamic-provider/index.js 127.0.0.1:1')).toBe('dynamic-provider/index.js');
    // Program code confined in its own namespaces: named by what runs inside.
    expect(
      programName(
        'unshare --pid --fork --mount-proc --kill-child /r/bin/plugins/gitops-confine --inside node /r/bin/program-host.js 127.0.0.1:1',
      ),
    ).toBe('bin/program-host.js');
  });
});
