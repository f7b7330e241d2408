import type { ActionContext } from '../api/action-context.js';
import type { RecoverOutcome } from '../engine/recover-state.js';
import { userError } from '../errors/gitops-error.js';
import { selectStacks } from '../schedule/select.js';

/** What `gitops recover` was asked to do, as typed. */
export interface RecoverInput {
  stack: string;
  /** `URN=ID` pairs. */
  imports: readonly string[];
  forgets: readonly string[];
}

/**
 * Splits `URN=ID` at the first `=` after the URN's last `::` (resource names rarely hold `=`,
 * provider IDs may).
 */
export function parseImport(value: string): { urn: string; id: string } {
  const nameStart = value.lastIndexOf('::');
  const eq = value.indexOf('=', Math.max(nameStart, 0));
  if (!value.startsWith('urn:pulumi:') || eq < 0 || eq === value.length - 1) {
    throw userError('USAGE', `--import ${value}: expected URN=ID, e.g. urn:pulumi:stack::project::type::name=resource-id`);
  }
  return { urn: value.slice(0, eq), id: value.slice(eq + 1) };
}

/**
 * `gitops recover`: settles the pending operations a killed run left on one stack, adopting
 * the resources that exist and dropping the ones that were never made, and the creates of
 * unknown outcome a run whose provider died left (`--forget`, once the user has deleted or
 * `pulumi import`ed what exists of them). Every one must be named; only what needs no decision
 * (a create of the root stack resource, a malformed entry naming no resource) is dropped unnamed.
 */
export async function recover(ctx: ActionContext, input: RecoverInput): Promise<RecoverOutcome> {
  const [name] = selectStacks(ctx.catalog, { names: [input.stack] });
  const def = ctx.catalog.byName.get(name!)!;
  const imports = input.imports.map(parseImport);
  for (const urn of input.forgets)
    if (!urn.startsWith('urn:pulumi:')) throw userError('USAGE', `--forget ${urn}: expected a URN (urn:pulumi:...)`);
  const engine = await ctx.engine([def]);
  return engine.recover({ stack: def, imports, forgets: input.forgets, signal: ctx.signal }, ctx.sink);
}
