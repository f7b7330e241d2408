import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { groupMembers, groupsOf, killGroups } from '../../src/processes/process-groups.js';
import { ownGroup } from '../../src/processes/process-reaper.js';
import { isRunning, listProcesses, readProcess } from '../../src/processes/process-table.js';

/** A shell in a group of its own that starts a child after a moment, as a plugin wrapper starts node. */
async function wrapperWithLateChild() {
  const shell = spawn('sh', ['-c', 'sleep 0.3; sleep 60 & wait'], { detached: true, stdio: 'ignore' });
  const pgid = shell.pid!;
  const leader = readProcess(pgid)!;
  await sleep(600);
  return { pgid, leader, done: new Promise((r) => shell.on('exit', r)) };
}

describe('process groups: a late child is never missed', () => {
  it('the groups of recorded processes, once each, never our own', () => {
    const own = ownGroup();
    const groups = groupsOf(
      [
        { pid: 10, pgid: 10, start: 5 },
        { pid: 11, pgid: 10, start: 6 },
        { pid: 12, pgid: own, start: 7 },
        { pid: 13, pgid: 20, start: 8 },
      ],
      own,
    );
    expect(groups).toEqual([{ pgid: 10, leaderStart: 5 }, { pgid: 20 }]);
  });

  it('killing the recorded group kills a child that was never recorded', async () => {
    const { pgid, leader, done } = await wrapperWithLateChild();
    const members = groupMembers({ pgid, leaderStart: leader.start });
    expect(members.length).toBe(2);
    const child = members.find((p) => p.pid !== pgid)!;
    const killed = await killGroups([{ pgid, leaderStart: leader.start }], ownGroup());
    expect(killed.map((p) => p.pid).sort()).toEqual([pgid, child.pid].sort());
    await done;
    expect(isRunning(readProcess(child.pid))).toBe(false);
    expect(listProcesses().filter((p) => p.pgid === pgid && isRunning(p))).toEqual([]);
  });

  it('a group whose leader is another process than recorded (a reused pgid) is left alone', async () => {
    const { pgid, leader } = await wrapperWithLateChild();
    expect(groupMembers({ pgid, leaderStart: leader.start + 1 })).toEqual([]);
    expect(await killGroups([{ pgid, leaderStart: leader.start + 1 }], ownGroup())).toEqual([]);
    expect(groupMembers({ pgid, leaderStart: leader.start }).length).toBe(2);
    await killGroups([{ pgid, leaderStart: leader.start }], ownGroup());
  });
});
