import type { Engine } from '../engine/engine.js';
import { checkedUpdate } from './policy-gate.js';
import type { PolicySet } from './policy-set.js';

/** `engine`, with each run of a preview, update or remediation checking the packs the set gives its stack. */
export function policyEngine(engine: Engine, set: PolicySet): Engine {
  return {
    run: (request, sink) => {
      const policy =
        request.operation === 'destroy' || request.operation === 'destroy-preview' ? undefined : set.runFor(request.stack.name);
      if (!policy) return engine.run(request, sink);
      return request.operation === 'up' ? checkedUpdate(engine, { ...request, policy }, sink) : engine.run({ ...request, policy }, sink);
    },
    unlock: (stack, options) => engine.unlock(stack, options),
    recover: (request, sink) => engine.recover(request, sink),
    lastDeployedCommit: (stack) => engine.lastDeployedCommit(stack),
    deployRecords: (stacks, needs) => engine.deployRecords(stacks, needs),
    outputs: (stack) => engine.outputs(stack),
  };
}
