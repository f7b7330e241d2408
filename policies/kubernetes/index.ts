import { PolicyPack, type ReportViolation, type ResourceValidationArgs } from '@pulumi/policy';

interface Container {
  name?: string;
  image?: string;
  securityContext?: { privileged?: boolean };
  resources?: { limits?: { cpu?: string; memory?: string } };
}

/** The pod spec of a workload (Pod, Deployment, StatefulSet, DaemonSet, Job, ReplicaSet), or undefined. */
function podSpec(args: ResourceValidationArgs): { containers?: Container[]; initContainers?: Container[] } | undefined {
  if (!args.type.startsWith('kubernetes:')) return undefined;
  const props = args.props as {
    spec?: { containers?: Container[]; template?: { spec?: unknown }; jobTemplate?: { spec?: { template?: { spec?: unknown } } } };
  };
  if (args.type === 'kubernetes:core/v1:Pod') return props.spec;
  const spec = props.spec?.template?.spec ?? props.spec?.jobTemplate?.spec?.template?.spec;
  return spec as { containers?: Container[] } | undefined;
}

function containersOf(args: ResourceValidationArgs): Container[] {
  const spec = podSpec(args);
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
}

new PolicyPack('kubernetes', {
  policies: [
    {
      name: 'no-privileged-containers',
      description: 'No container runs privileged.',
      enforcementLevel: 'mandatory',
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const c of containersOf(args)) {
          if (c.securityContext?.privileged === true) reportViolation(`container ${c.name ?? '?'} is privileged`);
        }
      },
    },
    {
      name: 'resource-limits-required',
      description: 'Every container sets CPU and memory limits.',
      enforcementLevel: 'mandatory',
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const c of containersOf(args)) {
          const missing = (['cpu', 'memory'] as const).filter((k) => !c.resources?.limits?.[k]);
          if (missing.length > 0) reportViolation(`container ${c.name ?? '?'} has no ${missing.join(' or ')} limit`);
        }
      },
    },
    {
      name: 'no-latest-images',
      description: 'Images are pinned: no `:latest` tag and no missing tag.',
      enforcementLevel: 'mandatory',
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        for (const c of containersOf(args)) {
          const image = c.image ?? '';
          if (image.includes('@sha256:')) continue;
          const tag = /:([^/:]+)$/.exec(image)?.[1];
          if (!tag || tag === 'latest')
            reportViolation(`container ${c.name ?? '?'} uses ${image || 'no image'}: pin a version tag or digest`);
        }
      },
    },
  ],
});
