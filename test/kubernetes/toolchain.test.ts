import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as k8s from '@pulumi/kubernetes';
import { LocalWorkspace } from '@pulumi/pulumi/automation/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureKubernetesProvider,
  isKubernetesPluginRegistered,
  type KubernetesProvider,
} from '../../src/toolchain/kubernetes-provider.js';
import { KUBERNETES_PROVIDER_VERSION } from '../../src/toolchain/kubernetes-versions.js';
import { ensurePulumi } from '../../src/toolchain/pulumi-cli.js';
import { pulumiCliEnv } from '../../src/toolchain/pulumi-home.js';
import { type KubeCluster, startKubeCluster } from '../helpers/kube-cluster.js';
import { ensureKubectl, KUBERNETES_VERSION } from '../helpers/toolchain/kube-apiserver.js';

const run = promisify(execFile);
const log = (line: string): void => void process.stderr.write(`[toolchain] ${line}\n`);

/** What a stack needs on a cluster without nodes or controllers (see the report in docs). */
const testAnnotations = { 'pulumi.com/skipAwait': 'true', 'pulumi.com/deletionPropagationPolicy': 'background' };

let kubectlBinary = 'kubectl';

/** Runs kubectl (Debian's, or one we build) against the cluster; a non-zero exit is returned, not thrown. */
async function kubectl(cluster: KubeCluster, args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const pending = run(kubectlBinary, ['--kubeconfig', cluster.kubeconfig, ...args]);
  pending.child.stdin?.end(stdin);
  try {
    return { code: 0, ...(await pending) };
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON is read field by field in each test.
async function getJson(cluster: KubeCluster, args: string[]): Promise<any> {
  const res = await kubectl(cluster, ['get', ...args, '-o', 'json']);
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout);
}

/** Starts the plugin and asks it over gRPC, as the engine does, which version it is. */
async function pluginInfoVersion(binary: string): Promise<string> {
  // The engine address is only dialled lazily; GetPluginInfo does not need it.
  const child = spawn(binary, ['127.0.0.1:1'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').once('data', (d: string) => resolve(d.trim().split('\n')[0]!));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the plugin exited with ${code} before printing its port`)));
    });
    // The gRPC stubs and runtime that @pulumi/pulumi itself uses, resolved from that package.
    const fromPulumi = createRequire(createRequire(import.meta.url).resolve('@pulumi/pulumi/package.json'));
    const grpc = fromPulumi('@grpc/grpc-js');
    const { ResourceProviderClient } = fromPulumi('./proto/provider_grpc_pb.js');
    const { Empty } = fromPulumi('google-protobuf/google/protobuf/empty_pb.js');
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      return await new Promise<string>((resolve, reject) =>
        client.getPluginInfo(new Empty(), (err: Error | null, info: { getVersion(): string }) =>
          err ? reject(err) : resolve(info.getVersion()),
        ),
      );
    } finally {
      client.close();
    }
  } finally {
    child.kill('SIGKILL');
  }
}

const deploymentManifest = (namespace: string): string => `
apiVersion: v1
kind: Namespace
metadata:
  name: ${namespace}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${namespace}
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

describe('Kubernetes toolchain', () => {
  let cluster: KubeCluster;
  let provider: KubernetesProvider;

  beforeAll(async () => {
    // On a fresh machine this builds the provider and kube-apiserver: many minutes on 2 cores.
    provider = await ensureKubernetesProvider(process.env, log);
    kubectlBinary = (await ensureKubectl(process.env, log)).binary;
    cluster = await startKubeCluster();
  }, 3_600_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('starts a real API server of the pinned version that answers /readyz', async () => {
    expect(cluster.startupMs).toBeGreaterThan(0);
    expect(cluster.startupMs).toBeLessThan(120_000);
    const readyz = await kubectl(cluster, ['get', '--raw', '/readyz']);
    expect(readyz).toMatchObject({ code: 0, stdout: 'ok' });
    const raw = await kubectl(cluster, ['get', '--raw', '/version']);
    expect(JSON.parse(raw.stdout)).toMatchObject({ gitVersion: `v${KUBERNETES_VERSION}` });
  });

  it('lets kubectl create and read back a Namespace and a Deployment', async () => {
    const applied = await kubectl(cluster, ['apply', '-f', '-'], deploymentManifest('kubectl-test'));
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('namespace/kubectl-test created');
    expect(applied.stdout).toContain('deployment.apps/web created');

    const ns = await getJson(cluster, ['namespace', 'kubectl-test']);
    expect(ns.status.phase).toBe('Active');
    const deployment = await getJson(cluster, ['deployment', 'web', '--namespace', 'kubectl-test']);
    expect(deployment.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    // No controllers run: nothing ever reconciles the Deployment into pods.
    expect(deployment.status.readyReplicas).toBeUndefined();
  });

  it('registers the provider plugin with the CLI, stamped with its version', async () => {
    expect(provider.version).toBe(KUBERNETES_PROVIDER_VERSION);
    await access(provider.binary, constants.X_OK);
    const { binDir } = await ensurePulumi(process.env, log);
    const env = pulumiCliEnv(process.env);
    expect(await isKubernetesPluginRegistered(path.join(binDir, 'pulumi'), env)).toBe(true);
    const { stdout } = await run(path.join(binDir, 'pulumi'), ['plugin', 'ls'], { env });
    expect(stdout).toMatch(new RegExp(`kubernetes\\s+resource\\s+${KUBERNETES_PROVIDER_VERSION.replaceAll('.', '\\.')}`));
    // The engine's view: the embedded schema (our `go generate`) and GetPluginInfo (the -X stamp).
    const schema = await run(path.join(binDir, 'pulumi'), ['package', 'get-schema', `kubernetes@${KUBERNETES_PROVIDER_VERSION}`], {
      env,
      maxBuffer: 64 << 20,
    });
    expect(JSON.parse(schema.stdout)).toMatchObject({ name: 'kubernetes', version: KUBERNETES_PROVIDER_VERSION });
    expect(await pluginInfoVersion(provider.binary)).toBe(KUBERNETES_PROVIDER_VERSION);
  });

  it('deploys and destroys a @pulumi/kubernetes program through the Automation API', async () => {
    const { command, home } = await ensurePulumi(process.env, log);
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'k8s-stack-'));
    try {
      const program = async (): Promise<Record<string, unknown>> => {
        const ns = new k8s.core.v1.Namespace('ns', { metadata: { name: 'pulumi-smoke', annotations: testAnnotations } });
        const metadata = (name: string) => ({ name, namespace: ns.metadata.name, annotations: testAnnotations });
        const labels = { app: 'web' };
        new k8s.core.v1.ConfigMap('config', { metadata: metadata('web-config'), data: { greeting: 'hello' } });
        new k8s.apps.v1.Deployment('web', {
          metadata: metadata('web'),
          spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
          },
        });
        const svc = new k8s.core.v1.Service('svc', { metadata: metadata('web'), spec: { selector: labels, ports: [{ port: 80 }] } });
        return { clusterIP: svc.spec.clusterIP };
      };
      const stack = await LocalWorkspace.createStack(
        { stackName: 'smoke', projectName: 'k8s-smoke', program },
        {
          workDir,
          pulumiCommand: command,
          projectSettings: { name: 'k8s-smoke', runtime: 'nodejs', backend: { url: `file://${workDir}` } },
          // KUBECONFIG rather than `kubernetes:kubeconfig` config: with the config the provider
          // writes a copy (token included) to $TMPDIR/kubeconfig* on every run and never removes it.
          envVars: {
            KUBECONFIG: cluster.kubeconfig,
            PULUMI_CONFIG_PASSPHRASE: 'test',
            PULUMI_HOME: home,
            PULUMI_SKIP_UPDATE_CHECK: 'true',
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
          },
        },
      );

      let started = Date.now();
      const up = await stack.up();
      const upMs = Date.now() - started;
      expect(up.summary.result).toBe('succeeded');
      expect(up.summary.resourceChanges).toMatchObject({ create: 5 });
      expect(up.outputs.clusterIP?.value).toMatch(/^10\.96\./);
      // Without skipAwait the Deployment and Service would wait ~10 minutes for pods and endpoints.
      expect(upMs).toBeLessThan(120_000);
      expect((await getJson(cluster, ['configmap', 'web-config', '-n', 'pulumi-smoke'])).data).toEqual({ greeting: 'hello' });
      expect((await getJson(cluster, ['deployment', 'web', '-n', 'pulumi-smoke'])).metadata.annotations).toMatchObject(testAnnotations);

      started = Date.now();
      const destroyed = await stack.destroy();
      expect(destroyed.summary.result).toBe('succeeded');
      expect(Date.now() - started).toBeLessThan(120_000);
      // Background deletion needs no garbage collector: the objects are really gone.
      for (const kind of ['configmap/web-config', 'deployment/web', 'service/web']) {
        const res = await kubectl(cluster, ['get', kind, '-n', 'pulumi-smoke']);
        expect(res.stderr).toContain('NotFound');
      }
      log(`Automation API against the test cluster: up ${upMs} ms, destroy ${Date.now() - started} ms`);
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  it('leaves no processes behind when stopped', async () => {
    const { pids, dir } = cluster;
    expect(pids).toHaveLength(2);
    await cluster.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(dir)).toBe(false);
  });
});
