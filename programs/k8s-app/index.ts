import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

/**
 * A containerized app on Kubernetes: Namespace, ConfigMap (its environment), Deployment and
 * Service. Image, replicas, env and resources come from stack config.
 *
 * Every object carries `pulumi.com/patchForce`, so drift remediation takes fields back from
 * whoever changed them by hand. `k8s-app:skipAwait: true` adds `pulumi.com/skipAwait` so Pulumi does not wait for pods to
 * become ready (a cluster without nodes never runs them), and background deletion
 * (`pulumi.com/deletionPropagationPolicy`) for a control plane without the garbage collector.
 */
export interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const app = config.get('name') ?? 'web';
  const namespaceName = config.get('namespace') ?? `${app}-${pulumi.getStack()}`;
  const image = config.require('image');
  const replicas = config.getNumber('replicas') ?? 1;
  const port = config.getNumber('port') ?? 8080;
  const env = config.getObject<Record<string, string>>('env') ?? {};
  const resources = config.getObject<Resources>('resources') ?? {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { cpu: '500m', memory: '256Mi' },
  };
  // Git wins: a field someone took over by hand (`kubectl scale` owns .spec.replicas under
  // server-side apply) is forced back, instead of failing with a field conflict.
  const annotations: Record<string, string> = {
    'pulumi.com/patchForce': 'true',
    ...(config.getBoolean('skipAwait') ? { 'pulumi.com/skipAwait': 'true', 'pulumi.com/deletionPropagationPolicy': 'background' } : {}),
  };
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/managed-by': 'pulumi-gitops' };

  const ns = new k8s.core.v1.Namespace('namespace', { metadata: { name: namespaceName, labels, annotations } });
  const configMap = new k8s.core.v1.ConfigMap('config', {
    metadata: { name: `${app}-config`, namespace: ns.metadata.name, labels, annotations },
    data: env,
  });
  const deployment = new k8s.apps.v1.Deployment('deployment', {
    metadata: { name: app, namespace: ns.metadata.name, labels, annotations },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: app,
              image,
              ports: [{ name: 'http', containerPort: port }],
              envFrom: [{ configMapRef: { name: configMap.metadata.name } }],
              resources,
            },
          ],
        },
      },
    },
  });
  const service = new k8s.core.v1.Service('service', {
    metadata: { name: app, namespace: ns.metadata.name, labels, annotations },
    spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  return { namespace: ns.metadata.name, deployment: deployment.metadata.name, service: service.metadata.name, image };
}
