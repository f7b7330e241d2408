import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GitopsError } from '../errors/gitops-error.js';
import { resourceName } from './urn-name.js';

/**
 * An operation a run began and never finished (it was killed, or its machine died): the
 * engine does not know whether it happened. A pending create may have made a resource that
 * no state tracks; running `up` over it would make a second one.
 */
export interface PendingOperation {
  urn: string;
  type: string;
  /** `creating`, `updating`, `deleting`, `reading` or `importing`, as Pulumi records it. */
  operation: string;
  /** When the state holding it was last written (Pulumi records no time per operation). */
  recordedAt?: string;
}

/** The parts of an exported deployment (`pulumi stack export`, or a file backend's checkpoint) read here. */
export interface DeploymentState {
  manifest?: { time?: string };
  resources?: Record<string, unknown>[];
  pending_operations?: { type: string; resource: Record<string, unknown> & { urn: string; type: string } }[];
}

/**
 * The pending operations of a deployment. A malformed entry (no resource, an empty URN) reads
 * with empty strings in its place, so it can still be named and settled.
 */
export function pendingOperationsOf(deployment: DeploymentState | undefined): PendingOperation[] {
  const recordedAt = deployment?.manifest?.time;
  const entries: unknown[] = Array.isArray(deployment?.pending_operations) ? deployment.pending_operations : [];
  return entries.map((entry) => {
    const op = (entry ?? {}) as { type?: unknown; resource?: { urn?: unknown; type?: unknown } };
    return {
      urn: typeof op.resource?.urn === 'string' ? op.resource.urn : '',
      type: typeof op.resource?.type === 'string' ? op.resource.type : '',
      operation: typeof op.type === 'string' ? op.type : '',
      ...(recordedAt ? { recordedAt } : {}),
    };
  });
}

/**
 * Whether a pending operation needs no person's decision: a create of the root
 * `pulumi:pulumi:Stack` (a component: no real resource exists or is duplicated; the next update
 * records it again), or an entry that names no resource at all (nothing could be checked, nor
 * run over twice). Recovery drops these by itself.
 */
export function settlesItself(op: PendingOperation): boolean {
  return op.urn === '' || (op.type === 'pulumi:pulumi:Stack' && op.operation === 'creating');
}

/**
 * A file backend's checkpoint, read directly: no CLI start, no lock, and it works while a
 * stale lock is still in place. Undefined when the stack has no state yet. Pulumi writes the
 * checkpoint gzipped when `PULUMI_DIY_BACKEND_GZIP` is set, so both names are tried.
 */
export async function readCheckpoint(stateFile: string): Promise<DeploymentState | undefined> {
  for (const file of [stateFile, `${stateFile}.gz`]) {
    if (!existsSync(file)) continue;
    const raw = await readFile(file);
    const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    try {
      return (JSON.parse(text) as { checkpoint?: { latest?: DeploymentState } }).checkpoint?.latest;
    } catch (err) {
      throw new GitopsError({
        code: 'ENGINE_ERROR',
        kind: 'external',
        message: `state file ${file} is damaged (not valid JSON: ${(err as Error).message}); nothing was run`,
        hint:
          `Pulumi keeps the previous version next to it (${path.basename(file)}.bak, and each update under .pulumi/history/): ` +
          'check it, then copy it back',
        cause: err,
      });
    }
  }
  return undefined;
}

/** One line per pending operation: what, which resource, since when. */
export function describePending(op: PendingOperation): string {
  const parsed = op.recordedAt ? Date.parse(op.recordedAt) : Number.NaN;
  const at = Number.isNaN(parsed) ? op.recordedAt : new Date(parsed).toISOString().replace(/\.\d+Z$/, 'Z');
  if (op.urn === '')
    return `${op.operation || 'unknown operation'} of no resource (a malformed entry), interrupted${at ? ` by ${at}` : ''}`;
  return `${op.operation} ${resourceName(op.urn)} (${op.type}), interrupted${at ? ` by ${at}` : ''}: ${op.urn}`;
}

/**
 * The error that stops a stack with pending operations. Nothing runs over them: `up` would
 * create a second copy of a resource whose create may have happened, and a refresh with
 * `--clear-pending-creates` would forget one that exists.
 */
export function pendingOperationsError(stack: string, pending: readonly PendingOperation[]): GitopsError {
  const creates = pending.filter((p) => p.operation === 'creating' && !settlesItself(p));
  const hint = pending.every(settlesItself)
    ? `none needs a decision: \`gitops recover --stack ${stack}\` (or the next deploy) drops ${pending.length === 1 ? 'it' : 'them'}`
    : [
        'they may or may not have happened: check whether each resource exists.',
        creates.length > 0
          ? `If it exists, adopt it: \`gitops recover --stack ${stack} --import URN=<its ID>\`; ` +
            `if it was never created, drop it: \`gitops recover --stack ${stack} --forget URN\`.`
          : `Then \`gitops recover --stack ${stack} --forget URN\` drops the entry and refreshes the resource from its provider.`,
        'One recover names every pending operation of the stack (repeat the flags).',
      ].join(' ');
  return new GitopsError({
    code: 'PENDING_OPERATIONS',
    kind: 'external',
    message:
      `stack ${stack} has ${pending.length} pending operation${pending.length === 1 ? '' : 's'} from an interrupted run; ` +
      `nothing was run over ${pending.length === 1 ? 'it' : 'them'}`,
    details: pending.map(describePending),
    hint,
  });
}
