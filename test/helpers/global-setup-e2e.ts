import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';
import { buildDriver } from './build-driver.js';
import { ensureCiCommands } from './gitlab-ci-local.js';
import { ensureWeed } from './toolchain/seaweedfs.js';

/**
 * The e2e tier's toolchain: the Pulumi CLI, installed (or built from the Go module proxy
 * the first time, cached after) once before any test file runs. Throws, failing the run, if it
 * cannot be had: no test skips for a missing tool. Done here rather than in hooks, because a
 * first build takes minutes. Also SeaweedFS's `weed`, the S3 store of the shared-state tests
 * (test/e2e/s3-*.test.ts), built the same way. And the commands the GitLab template's jobs run
 * with under gitlab-ci-local (rsync, curl, zip, unzip; apt-get installs the missing ones).
 */
export default async function setup(): Promise<void> {
  buildDriver();
  const log = (line: string): void => void process.stderr.write(`[toolchain] ${line}\n`);
  const started = Date.now();
  const pulumi = await ensurePulumi(process.env, log);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  log(`Pulumi CLI ${pulumi.version} (${pulumi.source}) in ${pulumi.binDir}, home ${pulumi.home}; ready in ${secs}s`);
  const weedStarted = Date.now();
  const weed = await ensureWeed(process.env, log);
  log(`SeaweedFS weed (${weed.source}) at ${weed.binary}; ready in ${((Date.now() - weedStarted) / 1000).toFixed(1)}s`);
  await ensureCiCommands(process.env, log);
}
