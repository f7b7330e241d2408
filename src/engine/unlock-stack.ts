import { fileBackendDir } from '../backend/backend-url.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';
import { describeHolder, type LockHolder, readLockFiles, removeLockFiles } from '../state-lock/lock-holder.js';
import { clearGroups } from '../state-lock/run-processes.js';
import { readStackLock, removeStackLock } from '../state-lock/stack-lock.js';
import { reapEarlierRun } from './run-groups.js';
import type { StackGuards } from './stack-guards.js';
import type { StackWorkspaces } from './stack-workspaces.js';

/**
 * `gitops unlock`: removes the locks a run that is over left on the stack (ours and Pulumi's),
 * and kills what it left running. A holder still running, or one on another host (without
 * `force`), is refused: the error names it.
 */
export async function unlockStack(
  ws: StackWorkspaces,
  guards: StackGuards,
  def: StackDefinition,
  options: { force?: boolean } = {},
): Promise<LockHolder[]> {
  await guards.reap(def);
  const dir = fileBackendDir(ws.options.backendUrl);
  const store = await guards.stateLocks();
  const ref = { name: def.name, project: def.project, stack: def.stack };
  // Our own lock names its holder on every backend that has one; Pulumi's lock files can be read only on a file backend.
  const ours = store && (await readStackLock(store, ref));
  const pulumiLocks = dir ? readLockFiles(dir, def.project, def.stack, ws.workDir(def)) : [];
  const holders = [...(ours ? [ours.holder] : []), ...pulumiLocks];
  if (!dir && !ours && !options.force) {
    // No lock of ours to judge by, and Pulumi keeps its own where we do not read it.
    throw new GitopsError({
      code: 'STACK_LOCKED',
      kind: 'user',
      message: `stack ${def.name}: cannot check who holds its lock on this backend`,
      hint: `make sure no run of it is in progress, then \`gitops unlock --stack ${def.name} --force\``,
    });
  }
  const alive = holders.filter((h) => h.state === 'alive');
  if (alive.length > 0) {
    throw new GitopsError({
      code: 'STACK_LOCKED',
      kind: 'external',
      message: `stack ${def.name}: refusing to unlock, the lock holder is still running: ${alive.map((h) => describeHolder(h)).join('; ')}`,
      hint: 'wait for that run to finish (or stop it); its lock goes with it',
    });
  }
  const remote = holders.filter((h) => h.state === 'remote');
  if (remote.length > 0 && !options.force) {
    throw new GitopsError({
      code: 'STACK_LOCKED',
      kind: 'external',
      message: `stack ${def.name}: locked from another host: ${remote.map((h) => describeHolder(h)).join('; ')}`,
      hint: `if that run is over, \`gitops unlock --stack ${def.name} --force\` removes the lock`,
    });
  }
  if (ours && store && (await removeStackLock(store, ref, ours)) === 'changed') {
    // Released and taken again while we looked: the new holder was never checked.
    throw new GitopsError({
      code: 'STACK_LOCKED',
      kind: 'external',
      message: `stack ${def.name}: another run took the lock while it was being checked; nothing was removed`,
      hint: `run \`gitops unlock --stack ${def.name}\` again to see who holds it now`,
    });
  }
  if (dir) removeLockFiles(pulumiLocks);
  // Off a file backend, Pulumi's lock was taken inside ours by the same run (or --force was given): `pulumi cancel` clears it.
  else await (await ws.open(def, false, { secrets: false })).cancel();
  // The dead run's process groups: killed here; from another host, cleared only on --force (a person's word that it is gone).
  const processes = store?.ofKind('processes');
  if (processes) {
    const { elsewhere } = await reapEarlierRun(processes, ref);
    if (elsewhere && options.force) await clearGroups(processes, ref);
  }
  return holders;
}
