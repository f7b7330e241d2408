import { ensureKubernetesProvider } from '../../src/toolchain/kubernetes-provider.js';
import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';
import { buildDriver } from './build-driver.js';
import { ensureEtcd, ensureKubeApiServer } from './toolchain/kube-apiserver.js';

/**
 * The kubernetes tier's toolchain, installed once before any test file runs: the Pulumi CLI, the
 * Kubernetes provider plugin, kube-apiserver and etcd (built from the Go module proxy the first
 * time, cached after). Throws, failing the run, if any piece cannot be had.
 */
export default async function setup(): Promise<void> {
  buildDriver();
  const log = (line: string): void => void process.stderr.write(`[toolchain] ${line}\n`);
  const started = Date.now();
  const pulumi = await ensurePulumi(process.env, log);
  log(`Pulumi CLI ${pulumi.version} (${pulumi.source}) in ${pulumi.binDir}, home ${pulumi.home}`);
  const provider = await ensureKubernetesProvider(process.env, log);
  const [etcd, apiserver] = await Promise.all([ensureEtcd(process.env, log), ensureKubeApiServer(process.env, log)]);
  log(
    `Kubernetes provider ${provider.version} (${provider.source}), etcd ${etcd.version} (${etcd.source}), ` +
      `kube-apiserver ${apiserver.version} (${apiserver.source}); ready in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}
