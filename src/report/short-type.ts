/**
 * A resource type as a reader names it: `kubernetes:apps/v1:Deployment` → `apps/v1 Deployment`,
 * `aws:s3/bucket:Bucket` → `s3 Bucket`, `random:index/randomPassword:RandomPassword` →
 * `RandomPassword`. The package is left out (the name says it), and so are a module's `index`
 * and a last segment that only repeats the type's own name. A dynamic provider's resource is
 * named by the type its program gave it.
 */
export function shortType(type: string): string {
  const dynamic = /^pulumi-nodejs:dynamic(?:\/(.+?))?:Resource$/.exec(type);
  if (dynamic) return dynamic[1] ? shortType(dynamic[1]) : 'dynamic Resource';
  const parts = type.split(':');
  if (parts.length !== 3) return type;
  const [, module, name] = parts as [string, string, string];
  if (type.startsWith('pulumi:providers:')) return `${name} provider`;
  const lowerName = name.charAt(0).toLowerCase() + name.slice(1);
  const segments = module.split('/').filter((s, i, all) => s !== 'index' && !(i === all.length - 1 && i > 0 && s === lowerName));
  return segments.length > 0 ? `${segments.join('/')} ${name}` : name;
}
