import { startKubeCluster } from '../helpers/kube-cluster.js';
import type { Bench } from './bench-types.js';
import { median } from './measure.js';

/** Startup time of the test Kubernetes API server (etcd + kube-apiserver until /readyz), 3 starts. */
const bench: Bench = {
  name: 'kube-cluster-startup',
  async run(log) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const cluster = await startKubeCluster();
      times.push(cluster.startupMs);
      log(`start ${i + 1}: ${cluster.startupMs} ms`);
      await cluster.stop();
    }
    return {
      name: 'kube-cluster-startup',
      lines: [`etcd + kube-apiserver until /readyz: median ${median(times).toFixed(0)} ms (${times.join(', ')} ms)`],
      figures: { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times) },
    };
  },
};
export default bench;
