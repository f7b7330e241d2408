import { PolicyPack, type ReportViolation, type ResourceValidationArgs } from '@pulumi/policy';

/** The demo platform's files (programs/shared/local-file.ts): dynamic resources with a path and content. */
function localFile(args: ResourceValidationArgs): { path: string; content: string; mode?: string } | undefined {
  if (!args.type.startsWith('pulumi-nodejs:dynamic')) return undefined;
  const props = args.props as { path?: unknown; content?: unknown; mode?: unknown };
  if (typeof props.path !== 'string' || typeof props.content !== 'string') return undefined;
  return { path: props.path, content: props.content, mode: typeof props.mode === 'string' ? props.mode : undefined };
}

new PolicyPack('demo', {
  policies: [
    {
      name: 'unprivileged-port',
      description: 'The platform listens on a port an unprivileged server may bind (1024 and up).',
      enforcementLevel: 'mandatory',
      configSchema: { properties: { minPort: { type: 'number', default: 1024 } } },
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const file = localFile(args);
        if (!file?.path.endsWith('platform.json')) return;
        const { minPort } = args.getConfig<{ minPort: number }>();
        const basePort = Number((JSON.parse(file.content) as { basePort?: unknown }).basePort);
        if (Number.isFinite(basePort) && basePort < minPort) {
          reportViolation(`basePort ${basePort} is below ${minPort}: the platform would need root to listen there`);
        }
      },
    },
    {
      name: 'private-credentials',
      description: 'A credentials file is readable by its owner only (mode 600).',
      enforcementLevel: 'advisory',
      validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
        const file = localFile(args);
        if (file && /credentials$/.test(file.path) && file.mode !== '600')
          reportViolation(`mode ${file.mode ?? 'unset'}: others may read it`);
      },
    },
  ],
});
