import type { ActionContext } from '../api/action-context.js';
import { selectStacks } from '../schedule/select.js';
import { REDACTED } from '../secrets/redact.js';

/** One output of a stack: its value, or `[secret]` for a secret one unless secrets were asked for. */
export interface OutputValue {
  name: string;
  value: unknown;
  secret: boolean;
}

/** `gitops outputs`: a stack's outputs, or `deployed: false` when it has no state yet. */
export interface StackOutputs {
  stack: string;
  deployed: boolean;
  outputs: OutputValue[];
}

/**
 * Reads one stack's outputs, in name order. Secret values never leave this function unless
 * `showSecrets` asks for them: without it they are replaced by `[secret]` here, so no renderer
 * can print them by mistake.
 */
export async function stackOutputs(ctx: ActionContext, request: { stack: string; showSecrets: boolean }): Promise<StackOutputs> {
  const [name] = selectStacks(ctx.catalog, { names: [request.stack] });
  const def = ctx.catalog.byName.get(name!)!;
  const engine = await ctx.engine([def]);
  const outputs = await engine.outputs(def);
  if (outputs === undefined) return { stack: def.name, deployed: false, outputs: [] };
  return {
    stack: def.name,
    deployed: true,
    outputs: Object.entries(outputs)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, o]) => ({ name: key, value: o.secret && !request.showSecrets ? REDACTED : o.value, secret: o.secret })),
  };
}
