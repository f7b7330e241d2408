import type { DeployRecords } from './deploy-records.js';
import type { Engine } from './engine.js';

/**
 * An engine that reads deploy records at once (directly from a file or S3 backend: no
 * toolchain, no Automation API, no passphrase) and opens the real engine, with all its checks,
 * only when a stack is to run or a record must come through the CLI. `status` and a
 * `deploy --since-deployed` with nothing to do then never open it.
 */
export function deferredEngine(open: () => Promise<Engine>, records: DeployRecords): Engine {
  let opened: Promise<Engine> | undefined;
  const real = (): Promise<Engine> => {
    opened ??= open();
    return opened;
  };
  return {
    run: async (request, sink) => (await real()).run(request, sink),
    unlock: async (stack, options) => (await real()).unlock(stack, options),
    recover: async (request, sink) => (await real()).recover(request, sink),
    outputs: async (stack) => (await real()).outputs(stack),
    deployRecords: (stacks, needs) => records.read(stacks, needs),
    lastDeployedCommit: (stack) => records.commitOf(stack),
  };
}
