import { rm, writeFile } from 'node:fs/promises';
import {
  type DeploymentState,
  describePending,
  type PendingOperation,
  pendingOperationsOf,
  settlesItself,
} from '../backend-state/pending-operations.js';
import { GitopsError, userError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';
import { describeUnknown, type UnknownCreate } from './unknown-outcome.js';

/**
 * How `gitops recover` settles the pending operations of a stack.
 *
 * Why it edits the exported state instead of using Pulumi's refresh flags (Pulumi 3.248):
 * - `refresh --import-pending-creates URN ID` turns the pending create into a pending import,
 *   which the refresh then drops: measured here, the resource ended up neither in the state
 *   nor pending, the exact loss recovery must prevent.
 * - `refresh --clear-pending-creates` drops every pending create of the stack, not the one named.
 * So recover exports the state (secrets stay encrypted), moves each adopted create into the
 * resources with its ID (its recorded inputs as outputs, which a dynamic provider needs to
 * read it back), removes the forgotten entries, imports the state back (under the backend's
 * lock), then refreshes just those resources so the provider reports what really exists.
 * `pulumi stack import` drops every pending operation it is given, so recover requires a
 * decision for each one: nothing is dropped without being named.
 *
 * Creates of unknown outcome (a provider died with them in flight; src/engine/unknown-outcome.ts)
 * are settled the same way, by name: `--forget URN` once the user has checked the resource
 * (deleted it, or adopted it with `pulumi import`). They cannot be `--import`ed: Pulumi kept
 * no pending operation for them, so there are no recorded inputs to adopt them from.
 */
export interface RecoverRequest {
  stack: StackDefinition;
  /** Pending creates that happened: adopt each with its provider ID. */
  imports: readonly { urn: string; id: string }[];
  /** Pending operations to drop: creates that never happened, or updates and deletes to refresh. */
  forgets: readonly string[];
  signal?: AbortSignal;
}

export interface RecoverOutcome {
  name: string;
  /** The pending operations found before recovery. */
  pending: PendingOperation[];
  /** Adopted resources; `exists: false` when the provider found nothing with that ID (so it left the state again). */
  imported: { urn: string; id: string; exists: boolean }[];
  forgotten: string[];
  /** Pending operations that needed no decision (see `settlesItself`), dropped by recovery itself. */
  dropped?: PendingOperation[];
  /** The creates of unknown outcome found before recovery (absent when there were none). */
  unknown?: UnknownCreate[];
  /** Creates of unknown outcome the user settled (`--forget`): their entries are gone from the record. */
  settled?: string[];
}

/**
 * Refuses a recover that names unknown URNs, imports a non-create or a create of unknown
 * outcome, or leaves a pending operation or a create of unknown outcome undecided.
 */
export function checkDecisions(
  stack: string,
  pending: readonly PendingOperation[],
  request: Pick<RecoverRequest, 'imports' | 'forgets'>,
  unknown: readonly UnknownCreate[] = [],
): void {
  const byUrn = new Map(pending.map((p) => [p.urn, p]));
  const unknownUrns = new Set(unknown.map((u) => u.urn));
  const named = [...request.imports.map((i) => i.urn), ...request.forgets];
  const problems: string[] = [];
  const twice = named.filter((u, i) => named.indexOf(u) !== i);
  for (const urn of new Set(twice)) problems.push(`${urn}: named more than once`);
  const what = unknown.length > 0 ? 'a pending operation or a create of unknown outcome' : 'a pending operation';
  for (const urn of named) {
    if (urn === '') problems.push('an empty URN: a malformed entry needs no decision, recover drops it by itself');
    else if (!byUrn.has(urn) && !unknownUrns.has(urn)) problems.push(`${urn}: not ${what} of stack ${stack}`);
    else if (byUrn.get(urn) && settlesItself(byUrn.get(urn)!)) problems.push(`${urn}: needs no decision, recover drops it by itself`);
  }
  for (const { urn } of request.imports) {
    const op = byUrn.get(urn);
    if (op && op.operation !== 'creating')
      problems.push(`${urn}: --import adopts pending creates only; this one is ${op.operation} (use --forget)`);
    else if (!op && unknownUrns.has(urn))
      problems.push(
        `${urn}: --import cannot adopt a create of unknown outcome: it failed when its provider died, so Pulumi kept no record ` +
          'of it (no inputs) to adopt it from; if it exists, delete it or adopt it with `pulumi import`, then --forget it',
      );
  }
  for (const p of pending) if (!settlesItself(p) && !named.includes(p.urn)) problems.push(`not decided: ${describePending(p)}`);
  for (const u of unknown) if (!named.includes(u.urn)) problems.push(`not decided: ${describeUnknown(u)}`);
  if (problems.length === 0) return;
  throw new GitopsError({
    code: 'USAGE',
    kind: 'user',
    message: `recover --stack ${stack}: ${problems.length} problem${problems.length === 1 ? '' : 's'} with --import/--forget`,
    details: problems,
    hint:
      'name every pending operation once: --import URN=ID if the resource exists, --forget URN if it does not' +
      (unknown.length > 0 ? '; and --forget every create of unknown outcome once you have deleted or imported what exists of it' : ''),
  });
}

/** The deployment with the decisions applied (and no pending operations left). Pure. */
export function repairDeployment(deployment: DeploymentState, request: Pick<RecoverRequest, 'imports' | 'forgets'>): DeploymentState {
  const resources = [...(deployment.resources ?? [])];
  const providers = new Map(
    resources
      .filter((r) => String(r.type).startsWith('pulumi:providers:'))
      .map((r) => [String(r.urn), `${String(r.urn)}::${String(r.id)}`]),
  );
  for (const { urn, id } of request.imports) {
    const op = deployment.pending_operations?.find((p) => p.resource.urn === urn);
    if (!op) throw userError('USAGE', `${urn}: not a pending operation`);
    const resource: Record<string, unknown> = { ...op.resource, id, outputs: op.resource.outputs ?? op.resource.inputs ?? {} };
    // A provider reference is URN::ID; a refresh since the kill may have given the provider a new ID.
    if (typeof resource.provider === 'string') {
      const providerUrn = resource.provider.slice(0, resource.provider.lastIndexOf('::'));
      resource.provider = providers.get(providerUrn) ?? resource.provider;
    }
    resources.push(resource);
  }
  return { ...deployment, resources, pending_operations: [] };
}

/** What recovery needs from the engine. */
export interface RecoveryPorts {
  /** Runs `pulumi <args>` in the stack's workspace; returns its stdout. */
  cli(args: string[]): Promise<string>;
  /** Where the edited state is written for `stack import` (secrets stay encrypted in it); removed after. */
  scratchFile: string;
  /** Refreshes just these resources from their providers. */
  refresh(targets: string[]): Promise<void>;
  /** The stack's creates of unknown outcome, as recorded. */
  unknown: readonly UnknownCreate[];
  /** Removes these entries from the record of creates of unknown outcome. */
  settleUnknown(urns: string[]): Promise<void>;
}

interface Exported {
  version: number;
  deployment: DeploymentState;
}

/** Settles a stack's pending operations as the request says (see {@link RecoverRequest}). */
export async function recoverStack(request: RecoverRequest, ports: RecoveryPorts): Promise<RecoverOutcome> {
  const { stack } = request;
  const exportState = async (): Promise<Exported> => JSON.parse(await ports.cli(['stack', 'export', '--stack', stack.stack])) as Exported;
  const before = await exportState();
  const pending = pendingOperationsOf(before.deployment);
  const { unknown } = ports;
  checkDecisions(stack.name, pending, request, unknown);
  const unknownUrns = new Set(unknown.map((u) => u.urn));
  const pendingUrns = new Set(pending.map((p) => p.urn));
  const settled = request.forgets.filter((u) => unknownUrns.has(u));
  const unknownPart = unknown.length > 0 ? { unknown: [...unknown], settled } : {};
  if (pending.length === 0) {
    // Nothing to change in the state: the record is all there is to settle.
    if (settled.length > 0) await ports.settleUnknown(settled);
    return { name: stack.name, pending, imported: [], forgotten: [], ...unknownPart };
  }
  const repaired = { ...before, deployment: repairDeployment(before.deployment, request) };
  await writeFile(ports.scratchFile, JSON.stringify(repaired), { mode: 0o600 });
  try {
    await ports.cli(['stack', 'import', '--file', ports.scratchFile, '--stack', stack.stack]);
  } finally {
    await rm(ports.scratchFile, { force: true });
  }
  // Adopted resources, and those whose update or delete was interrupted, are read back from their providers.
  const changed = new Set(pending.filter((p) => p.operation !== 'creating').map((p) => p.urn));
  const targets = [...request.imports.map((i) => i.urn), ...request.forgets.filter((u) => changed.has(u))];
  if (targets.length > 0) await ports.refresh(targets);
  const after = await exportState();
  const inState = new Set((after.deployment.resources ?? []).map((r) => String(r.urn)));
  // Only once the state is repaired: a failed repair leaves the record, and its block, in place.
  if (settled.length > 0) await ports.settleUnknown(settled);
  return {
    name: stack.name,
    pending,
    imported: request.imports.map((i) => ({ ...i, exists: inState.has(i.urn) })),
    forgotten: request.forgets.filter((u) => pendingUrns.has(u)),
    dropped: pending.filter(settlesItself),
    ...unknownPart,
  };
}
