import { recordsFirstEngine } from '../../actions/open-engine.js';
import { anyNeedsPerson, deployStatus } from '../../actions/status.js';
import { ExitCode } from '../../errors/exit-codes.js';
import { statusJson, statusText } from '../../report/status-report.js';
import { actionContext, engineHost } from '../context.js';
import { type CliEnv, printJson } from '../io.js';
import type { StatusArgs } from '../options/state.js';

/**
 * `gitops status`: each stack's deployed commit, its newest change, and whether it is behind.
 * Exit 1 when a stack needs a person (damaged records, pending operations, unknown outcomes, a lock).
 */
export async function statusCommand(args: StatusArgs, cli: CliEnv): Promise<number> {
  const ctx = await actionContext(cli, args);
  // Deploy records (tags, update messages) are plain text: no passphrase is asked for.
  const result = await deployStatus({
    ...ctx,
    engine: async (stacks) => recordsFirstEngine(engineHost(cli), ctx.layout, stacks, { needsSecrets: false }),
  });
  const code = anyNeedsPerson(result) ? ExitCode.Failed : ExitCode.Ok;
  if (args.json) printJson(cli.io, statusJson(result));
  else cli.io.stdout(statusText(result));
  return code;
}
