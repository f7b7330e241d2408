import { userError } from '../errors/gitops-error.js';

/** Where an `s3://` Pulumi backend keeps its objects, and how to reach them: what the lock needs to sit beside the state. */
export interface S3Location {
  bucket: string;
  /** Prepended to every key Pulumi writes (`prefix=` then the URL's path), '' or ending in '/'. */
  keyPrefix: string;
  /** `endpoint=`, with a scheme (Pulumi adds https://, or http:// under `disable_https`/`disableSSL`). */
  endpoint?: string;
  region?: string;
  /** `profile=`: the shared config profile. */
  profile?: string;
  forcePathStyle: boolean;
  anonymous: boolean;
  dualstack: boolean;
  fips: boolean;
}

const truthy = (v: string | null): boolean => v !== null && ['1', 't', 'true'].includes(v.toLowerCase());

/**
 * Reads an `s3://bucket[/path]?query` backend URL the way Pulumi 3.248 does (gocloud.dev v0.46,
 * AWS SDK v2): `region`, `endpoint`, `profile`, `use_path_style` (or the v1 name
 * `s3ForcePathStyle`), `disable_https` (or the v1 `disableSSL`), `anonymous`, `dualstack`,
 * `fips`, and `prefix`. gocloud applies `prefix=` to the bucket, then Pulumi adds the URL's path,
 * so a key is `<prefix><path>/<key>`. Parameters that only tune the transport are ignored.
 * `role=` (an IAM role assumed through STS) is refused: the lock would be written with other
 * credentials than the state.
 */
export function parseS3BackendUrl(url: string): S3Location {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw userError('USAGE', `state backend ${redactQuery(url)}: not a valid URL`);
  }
  if (u.protocol !== 's3:' || u.hostname === '') throw userError('USAGE', `state backend ${redactQuery(url)}: not an s3://bucket URL`);
  const q = u.searchParams;
  if (q.has('role')) {
    throw userError(
      'USAGE',
      `state backend ${redactQuery(url)}: role= is not supported by the gitops stack lock`,
      'assume the role through the AWS configuration instead (AWS_ROLE_ARN with web identity, or role_arn in the profile named by profile=)',
    );
  }
  const path = decodeURIComponent(u.pathname).replace(/^\/+/, '');
  const keyPrefix = (q.get('prefix') ?? '') + (path === '' || path.endsWith('/') ? path : `${path}/`);
  const insecure = truthy(q.get('disable_https')) || truthy(q.get('disableSSL'));
  let endpoint = q.get('endpoint') ?? undefined;
  if (endpoint && !endpoint.includes('://')) endpoint = `${insecure ? 'http' : 'https'}://${endpoint}`;
  return {
    bucket: u.hostname,
    keyPrefix,
    ...(endpoint ? { endpoint } : {}),
    ...(q.get('region') ? { region: q.get('region')! } : {}),
    ...(q.get('profile') ? { profile: q.get('profile')! } : {}),
    forcePathStyle: truthy(q.get('use_path_style')) || truthy(q.get('s3ForcePathStyle')),
    anonymous: truthy(q.get('anonymous')),
    dualstack: truthy(q.get('dualstack')),
    fips: truthy(q.get('fips')),
  };
}

/** The URL without its query, for messages: a query may carry what should not be printed. */
export function redactQuery(url: string): string {
  return url.split('?')[0]!;
}
