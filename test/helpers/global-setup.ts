import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';

/** Installs the Pulumi CLI once before any test file runs; throws (failing the run) if it cannot. */
export default async function setup(): Promise<void> {
  const t = await ensurePulumi(process.env, (line) => process.stderr.write(`[toolchain] ${line}\n`));
  process.stderr.write(`[toolchain] Pulumi CLI ${t.version} (${t.source}) in ${t.binDir}\n`);
}
