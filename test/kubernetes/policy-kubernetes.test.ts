import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubernetesProvider } from '../../src/toolchain/kubernetes-provider.js';
import { type KubeCluster, startKubeCluster } from '../helpers/kube-cluster.js';
import { type CliRun, createSandbox, repoRoot, type Sandbox } from '../helpers/sandbox.js';
import { ensureKubectl } from '../helpers/toolchain/kube-apiserver.js';

const run = promisify(execFile);

/**
 * The repository's Kubernetes pack on a real API server, selected by stack label: a Deployment
 * with a privileged container is stopped before anything of its stack is created; the same app
 * unprivileged deploys.
 */
const workload = `import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const name = config.require('namespace');
  // No nodes and no garbage collector here: nothing waits for readiness, deletes run in the background.
  const annotations = { 'pulumi.com/skipAwait': 'true', 'pulumi.com/deletionPropagationPolicy': 'background' };
  const labels = { app: 'worker' };
  const ns = new k8s.core.v1.Namespace('namespace', { metadata: { name, annotations } });
  new k8s.core.v1.ConfigMap('settings', { metadata: { name: 'settings', namespace: ns.metadata.name, annotations }, data: { a: 'b' } });
  new k8s.apps.v1.Deployment('worker', {
    metadata: { name: 'worker', namespace: ns.metadata.name, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'worker',
              image: 'nginx:1.27',
              securityContext: { privileged: config.requireBoolean('privileged') },
              resources: { limits: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  });
  return { namespace: name };
}
`;
const stackFile = (namespace: string, privileged: boolean) =>
  `program: workload\nlabels: [kubernetes]\nconfig:\n  workload:namespace: ${namespace}\n  workload:privileged: ${privileged}\n`;

interface Doc {
  stacks: { name: string; status: string; error?: { code: string }; policy?: { violations: { policy: string; enforcement: string }[] } }[];
}

describe('the Kubernetes pack on a real API server', () => {
  let cluster: KubeCluster;
  let box: Sandbox;
  let kubectlBinary = 'kubectl';
  const gitops = (...args: string[]): Promise<CliRun> => box.run(args, { KUBECONFIG: cluster.kubeconfig });
  const namespaces = async (): Promise<string[]> =>
    (await run(kubectlBinary, ['--kubeconfig', cluster.kubeconfig, 'get', 'namespaces', '-o', 'name'])).stdout.trim().split('\n');

  beforeAll(async () => {
    const log = (l: string): void => void process.stderr.write(`[toolchain] ${l}\n`);
    await ensureKubernetesProvider(process.env, log);
    kubectlBinary = (await ensureKubectl(process.env, log)).binary;
    cluster = await startKubeCluster();
    box = await createSandbox({
      stacks: { privileged: stackFile('policy-privileged', true), plain: stackFile('policy-plain', false) },
    });
    for (const file of ['PulumiPolicy.yaml', 'package.json', 'package-lock.json', 'index.ts']) {
      await box.write(`policies/kubernetes/${file}`, await readFile(path.join(repoRoot, 'policies', 'kubernetes', file), 'utf8'));
    }
    await box.write('programs/workload/index.ts', workload);
    const root = await readFile(path.join(box.root, 'Pulumi.yaml'), 'utf8');
    await box.write('Pulumi.yaml', `${root}\ngitops:\n  policies:\n    kubernetes:\n      labels: [kubernetes]\n`);
  });
  afterAll(async () => {
    await box?.dispose();
    await cluster?.stop();
  });

  it('a privileged container fails the deploy, and nothing of the stack reaches the API server', async () => {
    const r = await gitops('deploy', '--stack', 'privileged', '--json');
    expect(r.code, r.stderr).toBe(1);
    const stack = (JSON.parse(r.stdout) as Doc).stacks[0]!;
    expect(stack.error?.code).toBe('POLICY_VIOLATION');
    expect(stack.policy?.violations).toEqual([expect.objectContaining({ policy: 'no-privileged-containers', enforcement: 'mandatory' })]);
    expect(JSON.stringify(stack.policy)).toContain('container worker is privileged');
    expect(r.stderr.match(/policy kubernetes\/no-privileged-containers \(mandatory\) on worker/g)?.length).toBe(1);
    // The update never started: no resource step is shown, and the namespace it would create first is not there.
    expect(r.stderr).not.toContain('create kubernetes:core/v1:Namespace');
    expect(await namespaces()).not.toContain('namespace/policy-privileged');
  });

  it('the same workload unprivileged passes the pack and deploys', async () => {
    const r = await gitops('deploy', '--stack', 'plain', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Doc).stacks[0]!.policy?.violations).toEqual([]);
    expect(await namespaces()).toContain('namespace/policy-plain');
  });
});
