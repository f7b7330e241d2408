import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensureKubernetesProvider } from '../../src/toolchain/kubernetes-provider.js';
import { type KubeCluster, startKubeCluster } from '../helpers/kube-cluster.js';
import { type CliRun, createSandbox, type Sandbox } from '../helpers/sandbox.js';
import { ensureKubectl } from '../helpers/toolchain/kube-apiserver.js';

const run = promisify(execFile);

/**
 * Drift names who changed a field, from the live object's managedFields, on a real API server:
 * an autoscaler stand-in (`hpa-controller`) takes `spec.replicas` over with a forced server-side
 * apply. Without `drift.ignoreManagers` that is drift, reported with its manager and reverted;
 * with it, the field is managed elsewhere: not drift, and remediation of other drift leaves it.
 */
const namespace = 'gitops-managers';
const stackFile = (drift = '') => `program: k8s-app
stack: managers
config:
  k8s-app:name: web
  k8s-app:namespace: ${namespace}
  k8s-app:image: nginx:1.27
  k8s-app:replicas: 2
  k8s-app:skipAwait: true
${drift}`;
const ignoreHpa = 'drift:\n  ignoreManagers: [hpa-controller]\n';

interface Property {
  path: string;
  old?: string;
  new?: string;
  managers?: string[];
  managedElsewhere?: string;
}
interface Resource {
  name: string;
  properties: Property[];
}
interface DriftStack {
  action: string;
  resources: Resource[];
  managedElsewhere: Resource[];
  remediation?: { overrode: { resource: string; path: string; managers: string[] }[] };
}

interface ManagedField {
  manager: string;
  fieldsV1: { 'f:spec'?: Record<string, unknown> };
}
interface LiveDeployment {
  metadata: { managedFields: ManagedField[] };
  spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
}

describe('Kubernetes drift names the field manager that changed a field', () => {
  let cluster: KubeCluster;
  let box: Sandbox;
  let kubectlBinary = 'kubectl';
  let api: { token: string; ca: Buffer };
  const gitops = (...args: string[]): Promise<CliRun> => box.run(args, { KUBECONFIG: cluster.kubeconfig });
  const driftDoc = (r: CliRun): DriftStack => (JSON.parse(r.stdout) as { stacks: DriftStack[] }).stacks[0]!;
  const kubectl = async (...args: string[]): Promise<string> =>
    (await run(kubectlBinary, ['--kubeconfig', cluster.kubeconfig, '-n', namespace, ...args])).stdout;

  /** One call to the API server with the test token; resolves with status and body. */
  const call = (method: string, path: string, body?: string, contentType?: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Authorization: `Bearer ${api.token}`, Accept: 'application/json' };
      if (contentType) headers['Content-Type'] = contentType;
      const req = request(new URL(path, cluster.server), { method, ca: api.ca, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const deploymentPath = `/apis/apps/v1/namespaces/${namespace}/deployments/web`;
  const live = async (): Promise<LiveDeployment> => JSON.parse((await call('GET', deploymentPath)).body) as LiveDeployment;
  /** What an autoscaler does: a forced server-side apply of spec.replicas under its own field manager. */
  const autoscale = async (replicas: number): Promise<void> => {
    const patch = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${namespace}\nspec:\n  replicas: ${replicas}\n`;
    const r = await call('PATCH', `${deploymentPath}?fieldManager=hpa-controller&force=true`, patch, 'application/apply-patch+yaml');
    expect(r.status, r.body).toBe(200);
  };
  const replicasOwners = (d: LiveDeployment): string[] =>
    d.metadata.managedFields.filter((f) => f.fieldsV1['f:spec'] && 'f:replicas' in f.fieldsV1['f:spec']).map((f) => f.manager);

  beforeAll(async () => {
    const log = (l: string): void => void process.stderr.write(`[toolchain] ${l}\n`);
    await ensureKubernetesProvider(process.env, log);
    kubectlBinary = (await ensureKubectl(process.env, log)).binary;
    cluster = await startKubeCluster();
    const config = parse(await readFile(cluster.kubeconfig, 'utf8')) as {
      users: { user: { token: string } }[];
      clusters: { cluster: { 'certificate-authority-data': string } }[];
    };
    api = {
      token: config.users[0]!.user.token,
      ca: Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64'),
    };
    box = await createSandbox({ stacks: { web: stackFile() } });
    const deployed = await gitops('deploy', '--stack', 'web');
    expect(deployed.code, deployed.stderr).toBe(0);
    expect((await live()).spec.replicas).toBe(2);
  });
  afterAll(async () => {
    await box?.dispose();
    await cluster?.stop();
  });

  it('without ignoreManagers: reports the change with its manager, and remediation takes the field back from it', async () => {
    await autoscale(5);
    const found = await gitops('drift', '--stack', 'web', '--json');
    expect(found.code, found.stderr).toBe(3);
    const detected = driftDoc(found);
    expect(detected.resources.find((r) => r.name === 'deployment')!.properties).toEqual([
      expect.objectContaining({ path: 'spec.replicas', old: '2', new: '5', managers: ['hpa-controller'] }),
    ]);
    expect(detected.managedElsewhere).toEqual([]);

    const fixed = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(driftDoc(fixed)).toMatchObject({ action: 'remediated' });
    expect(driftDoc(fixed).remediation!.overrode).toEqual([
      { resource: 'deployment', path: 'spec.replicas', managers: ['hpa-controller'] },
    ]);
    expect(fixed.stderr).toContain('overrode hpa-controller on deployment spec.replicas');
    const d = await live();
    expect(d.spec.replicas).toBe(2);
    expect(replicasOwners(d)).not.toContain('hpa-controller');
  });

  it('with ignoreManagers: [hpa-controller], a stack whose only difference is its field is not drifted, and nothing runs', async () => {
    await box.write('stacks/web.yaml', stackFile(ignoreHpa));
    await autoscale(5);
    const r = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(r.code, r.stderr).toBe(0);
    const doc = driftDoc(r);
    expect(doc).toMatchObject({ action: 'none', resources: [] });
    expect(doc.managedElsewhere[0]!.properties).toEqual([
      expect.objectContaining({
        path: 'spec.replicas',
        old: '2',
        new: '5',
        managers: ['hpa-controller'],
        managedElsewhere: 'manager hpa-controller',
      }),
    ]);
    expect(r.stderr).toContain('managed elsewhere (by hpa-controller)');
    // No remediation ran: the refresh preview is the only operation.
    expect(r.stderr).not.toContain('remediate-preview');
    expect((await live()).spec.replicas).toBe(5);
  });

  it("with ignoreManagers: remediating other drift leaves the autoscaler's field as it is, and its owner", async () => {
    await kubectl('set', 'image', 'deployment/web', 'web=nginx:hacked');
    const found = await gitops('drift', '--stack', 'web', '--json');
    expect(found.code, found.stderr).toBe(3);
    const detected = driftDoc(found);
    // The image is drift (by kubectl set); the replicas are the autoscaler's.
    expect(detected.resources.find((r) => r.name === 'deployment')!.properties).toEqual([
      expect.objectContaining({ path: 'spec.template.spec.containers[0].image', new: 'nginx:hacked', managers: ['kubectl-set'] }),
    ]);
    expect(detected.managedElsewhere[0]!.properties).toEqual([
      expect.objectContaining({
        path: 'spec.replicas',
        new: '5',
        managers: ['hpa-controller'],
        managedElsewhere: 'manager hpa-controller',
      }),
    ]);

    const fixed = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(driftDoc(fixed)).toMatchObject({ action: 'remediated' });
    expect(driftDoc(fixed).remediation!.overrode).toEqual([
      { resource: 'deployment', path: 'spec.template.spec.containers[0].image', managers: ['kubectl-set'] },
    ]);
    const d = await live();
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:1.27');
    // Left as the autoscaler set it, and still its field alone: Pulumi did not take it back.
    expect(d.spec.replicas).toBe(5);
    expect(replicasOwners(d)).toEqual(['hpa-controller']);

    // No fight: the autoscaler moves again, and the next drift run finds nothing to do.
    await autoscale(7);
    const again = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(driftDoc(again)).toMatchObject({ action: 'none', resources: [] });
    expect((await live()).spec.replicas).toBe(7);
  });

  it('with ignorePaths: a wildcard path is managed elsewhere whoever changed it, and remediation of other drift leaves it', async () => {
    await box.write(
      'stacks/web.yaml',
      stackFile(`${ignoreHpa}  ignorePaths: ['apps/v1/Deployment:spec.template.spec.containers[*].image']\n`),
    );
    await kubectl('set', 'image', 'deployment/web', 'web=nginx:pinned-elsewhere');
    await kubectl('label', 'service', 'web', 'app.kubernetes.io/managed-by=someone', '--overwrite');

    const found = await gitops('drift', '--stack', 'web', '--json');
    expect(found.code, found.stderr).toBe(3);
    const detected = driftDoc(found);
    expect(detected.resources.map((r) => [r.name, r.properties.map((p) => [p.path, p.managers])])).toEqual([
      ['service', [['metadata.labels["app.kubernetes.io/managed-by"]', ['kubectl-label']]]],
    ]);
    expect(detected.managedElsewhere[0]!.properties).toEqual([
      expect.objectContaining({
        path: 'spec.template.spec.containers[0].image',
        new: 'nginx:pinned-elsewhere',
        managers: ['kubectl-set'],
        managedElsewhere: 'path apps/v1/Deployment:spec.template.spec.containers[*].image',
      }),
    ]);

    const fixed = await gitops('drift', '--stack', 'web', '--remediate', '--json');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(driftDoc(fixed)).toMatchObject({ action: 'remediated' });
    const service = JSON.parse(await kubectl('get', 'service', 'web', '-o', 'json')) as { metadata: { labels: Record<string, string> } };
    expect(service.metadata.labels['app.kubernetes.io/managed-by']).toBe('pulumi-gitops');
    const d = await live();
    expect(d.spec.template.spec.containers[0]!.image).toBe('nginx:pinned-elsewhere');
    expect(d.spec.replicas).toBe(7);
  });
});
