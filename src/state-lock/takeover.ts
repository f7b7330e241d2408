import { GitopsError } from '../errors/gitops-error.js';
import { describeHolder, lockedError } from './lock-holder.js';
import type { FoundLock } from './lock-record.js';
import { leaseExpiry } from './lock-record.js';

/** "in 4 min", "in 20 s": how long until a time. */
function inTime(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return s < 120 ? `in ${s} s` : `in ${Math.ceil(s / 60)} min`;
}

/**
 * Whether a lock found on a stack may be taken over, or the STACK_LOCKED error saying why not.
 * Pure. A holder on this host whose process is gone (or an unreadable lock) is dead: taken. A
 * holder on another host is dead once its lease runs out (a live holder renews it); until then
 * the error says when. A holder alive here, or a remote one without a lease (written by an
 * older version), is not taken.
 */
export function takeoverVerdict(stack: string, found: FoundLock, now: number): 'take' | GitopsError {
  const { holder } = found;
  if (holder.state === 'dead') return 'take';
  if (holder.state === 'alive') return lockedError(stack, [holder], undefined, now, true);
  const expiry = leaseExpiry(found.record);
  if (expiry === undefined) return lockedError(stack, [holder], undefined, now, true);
  if (now >= expiry) return 'take';
  const at = new Date(expiry).toISOString().replace(/\.\d+Z$/, 'Z');
  return new GitopsError({
    code: 'STACK_LOCKED',
    kind: 'external',
    message: `stack ${stack} is locked by another run: ${describeHolder(holder, now)}`,
    details: [
      `a live holder renews its lease every ${Math.round((found.record?.leaseMs ?? 0) / 3000)} s; it was last renewed at ${found.record?.renewedAt}`,
      `if it is not renewed again, the holder is dead and the lock may be taken over from ${at} (${inTime(expiry - now)}), by any runner`,
    ],
    hint: `wait for that run, or run again after ${at}; \`gitops unlock --stack ${stack} --force\` removes it now if you know it is dead`,
  });
}
