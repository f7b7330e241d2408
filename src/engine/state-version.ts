import { createHash } from 'node:crypto';

/**
 * What a stack's state was when a preview planned against it: its last update (version, kind and
 * start time) and a digest of its resources and pending operations. A preview's plan is valid
 * only against that state: any update, refresh or state edit since moves one or the other.
 */
export interface StateVersion {
  /**
   * The last update's version in the stack's history: Pulumi Cloud numbers them; the DIY backends
   * (file, S3...) record 0 for every update, so there `lastUpdate` tells updates apart.
   */
  update: number;
  /** The last update's kind and start time (`update 2026-11-27T13:48:35.000Z`); `none` before the first. */
  lastUpdate: string;
  /** sha256 of the state's resources and pending operations (still encrypted: no secret is hashed in the clear). */
  digest: string;
}

/** The digest of a deployment's resources and pending operations, as stored. Pure. */
export function stateDigest(deployment: { resources?: unknown[]; pending_operations?: unknown[] } | undefined): string {
  const body = JSON.stringify({ resources: deployment?.resources ?? [], pending: deployment?.pending_operations ?? [] });
  return createHash('sha256').update(body).digest('hex');
}

/**
 * Why `now` is not the state a plan was made against, or undefined when it is. Pure.
 * A digest that moved with the same update version is a state edited outside an update
 * (`pulumi stack import`, `pulumi state ...`).
 */
export function stateMoved(planned: StateVersion, now: StateVersion): string | undefined {
  if (planned.update !== now.update || planned.lastUpdate !== now.lastUpdate)
    return `the stack's state moved since the preview: its last update was ${describe(planned)}, now ${describe(now)}`;
  if (planned.digest !== now.digest)
    return `the stack's state was changed since the preview, outside an update (last update: ${describe(now)})`;
  return undefined;
}

function describe(v: StateVersion): string {
  return v.update > 0 ? `version ${v.update} (${v.lastUpdate})` : v.lastUpdate;
}
