import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureKubernetesProvider } from '../../src/toolchain/kubernetes-provider.js';
import { type KubeCluster, startKubeCluster } from '../helpers/kube-cluster.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureKubectl } from '../helpers/toolchain/kube-apiserver.js';

const run = promisify(execFile);

/**
 * GitOps's canonical case on a real Kubernetes API server, through the `gitops` CLI: deploy
 * the app, someone scales and re-images the Deployment by hand and deletes the ConfigMap, the
 * drift job reports and restores it; an image change in Git updates the Deployment in place.
 */
const stackFile = (image: string) => `program: k8s-app
stack: e2e
config:
  k8s-app:name: web
  k8s-app:namespace: gitops-e2e
  k8s-app:image: ${image}
  k8s-app:replicas: 2
  k8s-app:skipAwait: true
  k8s-app:env:
    APP_ENV: e2e
`;

interface DriftDoc {
  stacks: {
    name: string;
    action: string;
    resources: { name: string; op: string; properties: { path: string; old?: string; new?: string }[] }[];
  }[];
}

describe('the Kubernetes app on a real API server', () => {
  let cluster: KubeCluster;
  let box: Sandbox;
  const gitops = (...args: string[]): Promise<CliRun> => box.run(args, { KUBECONFIG: cluster.kubeconfig });
  let kubectlBinary = 'kubectl';
  const kubectl = async (...args: string[]): Promise<string> =>
    (await run(kubectlBinary, ['--kubeconfig', cluster.kubeconfig, '-n', 'gitops-e2e', ...args])).stdout;
  const deployment = async () =>
    JSON.parse(await kubectl('get', 'deployment', 'web', '-o', 'json')) as {
      metadata: { uid: string };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    };

  beforeAll(async () => {
    const log = (l: string): void => void process.stderr.write(`[toolchain] ${l}\n`);
    await ensureKubernetesProvider(process.env, log);
    kubectlBinary = (await ensureKubectl(process.env, log)).binary;
    cluster = await startKubeCluster();
    box = await createSandbox({ stacks: { web: stackFile('nginx:1.27') } });
  });
  afterAll(async () => {
    await box?.dispose();
    await cluster?.stop();
  });

  it('deploys Namespace, ConfigMap, Deployment and Service', async () => {
    const r = await gitops('deploy', '--stack', 'web', '--json');
    expect(r.code, r.stderr).toBe(0);
    const d = await deployment();
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    expect(JSON.parse(await kubectl('get', 'configmap', 'web-config', '-o', 'json')).data).toEqual({ APP_ENV: 'e2e' });
    expect(await kubectl('get', 'service', 'web', '-o', 'name')).toContain('service/web');
  });

  it('reports a hand-made scale and re-image, property by property, and restores them', async () => {
    await kubectl('scale', 'deployment/web', '--replicas=5');
    await kubectl('set', 'image', 'deployment/web', 'web=nginx:hacked');
    const found = await gitops('drift', '--stack', 'web', '--json');
    expect(found.code, found.stderr).toBe(3);
    const dep = (JSON.parse(found.stdout) as DriftDoc).stacks[0]!.resources.find((x) => x.name === 'deployment')!;
    expect(dep.properties).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'spec.replicas', old: '2', new: '5' }),
        expect.objectContaining({ path: 'spec.template.spec.containers[0].image', old: 'nginx:1.27', new: 'nginx:hacked' }),
      ]),
    );
    const fixed = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    const d = await deployment();
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    const clean = await gitops('drift', '--stack', 'web');
    expect(clean.code, clean.stderr).toBe(0);
  });

  it('detects a ConfigMap deleted by hand, and recreates it', async () => {
    await kubectl('delete', 'configmap', 'web-config');
    const found = await gitops('drift', '--stack', 'web', '--json');
    expect(found.code, found.stderr).toBe(3);
    expect((JSON.parse(found.stdout) as DriftDoc).stacks[0]!.resources).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'config', op: 'delete' })]),
    );
    const fixed = await gitops('drift', '--stack', 'web', '--remediate');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(await kubectl('get', 'configmap', 'web-config', '-o', 'json')).data).toEqual({ APP_ENV: 'e2e' });
  });

  it('an image change in Git updates the Deployment in place, not a replace', async () => {
    const before = (await deployment()).metadata.uid;
    await box.write('stacks/web.yaml', stackFile('nginx:1.28'));
    const r = await gitops('deploy', '--stack', 'web', '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = (JSON.parse(r.stdout) as { stacks: { resources: { name: string; op: string }[] }[] }).stacks[0]!.resources;
    expect(res.find((x) => x.name === 'deployment')!.op).toBe('update');
    const after = await deployment();
    expect(after.metadata.uid).toBe(before);
    expect(after.spec.template.spec.containers[0]!.image).toBe('nginx:1.28');
  });
});
