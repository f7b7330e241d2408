import { deployStatus } from '../../actions/status.js';
import { statusJson, statusText } from '../../report/status-report.js';
import { actionContext, openEngine } from '../context.js';
import { type CliEnv, printJson } from '../io.js';
import type { StatusArgs } from '../options.js';

/** `gitops status`: each stack's deployed commit, its newest change, and whether it is behind. Always exit 0. */
export async function statusCommand(args: StatusArgs, cli: CliEnv): Promise<number> {
  const ctx = await actionContext(cli, args);
  // Deploy records (tags, update messages) are plain text: no passphrase is asked for.
  const result = await deployStatus({ ...ctx, engine: (stacks) => openEngine(cli, ctx.layout, stacks, { needsSecrets: false }) });
  if (args.json) return printJson(cli.io, statusJson(result));
  cli.io.stdout(statusText(result));
  return 0;
}
