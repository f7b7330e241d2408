import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';

/**
 * The e2e tier's toolchain: the Pulumi CLI only, installed (or built from the Go module proxy
 * the first time, cached after) once before any test file runs. Throws, failing the run, if it
 * cannot be had: no test skips for a missing tool. Done here rather than in hooks, because a
 * first build takes minutes.
 */
export default async function setup(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`[toolchain] ${line}\n`);
  const started = Date.now();
  const pulumi = await ensurePulumi(process.env, log);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(`Pulumi CLI ${pulumi.version} (${pulumi.source}) in ${pulumi.binDir}, home ${pulumi.home}; ready in ${secs}s`);
}
