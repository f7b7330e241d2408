import type { ActionContext } from '../actions/action-context.js';
import type { StackDefinition } from '../stacks/schema.js';

export function undeployedChangeCheck(_ctx: ActionContext): (def: StackDefinition) => Promise<string | undefined> {
  return async () => undefined;
}
