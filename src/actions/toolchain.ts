import { ensurePulumi, type PulumiToolchain } from '../toolchain/pulumi-cli.js';

/** `gitops toolchain`: installs (or finds) the Pulumi CLI; `log` tells what installing does. */
export function toolchain(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<PulumiToolchain> {
  return ensurePulumi(env, log);
}
