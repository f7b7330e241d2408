import type { LockHolder } from '../state-lock/lock-holder.js';
import { describeHolder } from '../state-lock/lock-holder.js';

/** What `gitops unlock` did to one stack: the locks it removed, and who held them. */
export function unlockLine(stack: string, removed: readonly LockHolder[]): string {
  const what = removed.length === 0 ? 'no lock left' : `unlocked (removed the lock ${removed.map((h) => describeHolder(h)).join('; ')})`;
  return `[${stack}] ${what}`;
}
