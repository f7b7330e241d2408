import { toolchain } from '../../actions/toolchain.js';
import type { CliEnv } from '../io.js';
import type { ToolchainArgs } from '../options/repository.js';

/** `gitops toolchain`: installs (or finds) the Pulumi CLI and says where it is. */
export async function toolchainCommand(args: ToolchainArgs, cli: CliEnv): Promise<number> {
  const t = await toolchain(cli.env, (line) => cli.io.stderr(`[toolchain] ${line}\n`));
  const info = { pulumi: { version: t.version, binDir: t.binDir, source: t.source } };
  if (args.json) cli.io.stdout(`${JSON.stringify(info, null, 2)}\n`);
  else cli.io.stderr(`Pulumi CLI ${t.version} (${t.source}) in ${t.binDir}\n`);
  return 0;
}
