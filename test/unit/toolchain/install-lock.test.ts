import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LockHolder, processStartTime, withFileLock } from '../../../src/toolchain/install-lock.js';

const fileLockModule = fileURLToPath(new URL('../../../src/toolchain/install-lock.ts', import.meta.url));

let dir: string;
let lock: string;
let lines: string[];
const log = (line: string): void => void lines.push(line);
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'file-lock-'));
  lock = path.join(dir, '.register.lock');
  lines = [];
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const holderOf = async (file: string): Promise<LockHolder | undefined> =>
  readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as LockHolder,
    () => undefined,
  );

/** What a run that was killed while holding the lock leaves behind. */
function leftBy(pid: number, processStart: string | undefined, host = os.hostname()): string {
  const holder: LockHolder = { pid, host, acquiredAt: new Date().toISOString(), processStart, token: 'left-behind' };
  return `${JSON.stringify(holder)}\n`;
}

/** A real process that takes the lock through the real code, then holds it until killed. */
async function spawnHolder(): Promise<ChildProcess> {
  const code = `
    const { withFileLock } = await import(${JSON.stringify(fileLockModule)});
    await withFileLock(process.argv[1], () => {}, () => new Promise(() => setInterval(() => {}, 1000)));`;
  const args = ['--import', 'tsx', '--input-type=module', '-e', code, lock];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  await until('the child to take the lock', async () => {
    if (child.exitCode !== null) throw new Error(`the lock holder exited early (${child.exitCode}): ${stderr}`);
    return (await holderOf(lock))?.pid === child.pid;
  });
  return child;
}

describe('withFileLock', () => {
  it('records its holder (PID, host, start times) in the lock and removes only that lock afterwards', async () => {
    let seen: LockHolder | undefined;
    const result = await withFileLock(lock, log, async () => {
      seen = await holderOf(lock);
      return 42;
    });
    expect(result).toBe(42);
    expect(seen).toMatchObject({ pid: process.pid, host: os.hostname(), processStart: processStartTime(process.pid) });
    expect(seen!.processStart).toMatch(/^\d+$/);
    expect(Date.now() - Date.parse(seen!.acquiredAt)).toBeLessThan(60_000);
    expect(await readdir(dir)).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('takes over at once a lock whose holder on this host is dead (a killed run)', async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    await until('the child to start', async () => processStartTime(child.pid!) !== undefined);
    const start = processStartTime(child.pid!);
    child.kill('SIGKILL');
    await exited(child);
    await writeFile(lock, leftBy(child.pid!, start));

    const started = Date.now();
    // The default poll interval: a takeover must not even wait one round.
    await withFileLock(lock, log, async () => expect((await holderOf(lock))?.pid).toBe(process.pid));
    expect(Date.now() - started).toBeLessThan(500);
    expect(lines).toEqual([expect.stringContaining(`taking over the lock of process ${child.pid} on ${os.hostname()}`)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it("lets exactly one of several waiters take over a dead holder's lock at a time", async () => {
    const child = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(child);
    await until('the child to start', async () => processStartTime(child.pid!) !== undefined);
    const start = processStartTime(child.pid!);
    child.kill('SIGKILL');
    await exited(child);
    await writeFile(lock, leftBy(child.pid!, start));

    let inside = 0;
    let most = 0;
    const runs: number[] = [];
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        withFileLock(
          lock,
          log,
          async () => {
            most = Math.max(most, ++inside);
            await new Promise((r) => setTimeout(r, 30));
            runs.push(n);
            inside--;
          },
          { pollMs: 10 },
        ),
      ),
    );
    expect(most).toBe(1);
    expect(runs.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('waits while a live process holds the lock, and takes over as soon as it is killed', async () => {
    const holder = await spawnHolder();
    let ran = 0;
    const waiting = withFileLock(
      lock,
      log,
      async () => {
        ran = Date.now();
      },
      { pollMs: 50 },
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(ran).toBe(0);
    expect(lines).toEqual([expect.stringContaining(`waiting for process ${holder.pid} on ${os.hostname()}`)]);

    const killed = Date.now();
    holder.kill('SIGKILL');
    await exited(holder);
    await waiting;
    expect(ran - killed).toBeLessThan(1000);
    expect(lines[1]).toContain(`taking over the lock of process ${holder.pid}`);
    expect(existsSync(lock)).toBe(false);
  });

  it('takes a live PID whose start time differs for a reused PID, so the lock is free', async () => {
    await writeFile(lock, leftBy(process.pid, '1'));
    await withFileLock(lock, log, async () => undefined, { pollMs: 50 });
    expect(lines).toEqual([expect.stringContaining(`taking over the lock of process ${process.pid}`)]);
  });

  it('waits for a lock held from another host until it is stale', async () => {
    await writeFile(lock, leftBy(1, undefined, 'another-host.invalid'));
    const written = Date.now();
    await withFileLock(lock, log, async () => expect((await holderOf(lock))?.pid).toBe(process.pid), { pollMs: 50, staleMs: 600 });
    expect(Date.now() - written).toBeGreaterThanOrEqual(550);
    expect(lines).toEqual([
      expect.stringContaining('waiting for process 1 on another-host.invalid'),
      expect.stringContaining('whose holder cannot be checked'),
    ]);
  });

  it('takes over an old-style lock folder only once it is stale', async () => {
    await mkdir(lock);
    const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
    await utimes(lock, hourAgo, hourAgo);
    await withFileLock(lock, log, async () => undefined);
    expect(lines).toEqual([expect.stringContaining('older than 60 min whose holder cannot be checked')]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('counts an unreadable lock file as a holder that cannot be checked', async () => {
    await writeFile(lock, 'null');
    const written = Date.now();
    await withFileLock(lock, log, async () => undefined, { pollMs: 50, staleMs: 400 });
    expect(Date.now() - written).toBeGreaterThanOrEqual(350);
    expect(lines).toEqual([expect.stringContaining('waiting for an unknown process'), expect.stringContaining('cannot be checked')]);
  });

  it('leaves a lock that another process took over meanwhile', async () => {
    const theirs = leftBy(process.pid, processStartTime(process.pid));
    await withFileLock(lock, log, async () => writeFile(lock, theirs));
    expect(await readFile(lock, 'utf8')).toBe(theirs);
  });
});
