import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3BackendUrl, type S3Location } from './s3-backend-url.js';

/** The AWS SDK module, loaded on demand: commands on other backends never pay for it. */
export type S3Sdk = typeof import('@aws-sdk/client-s3');

/** An S3 client for the bucket of an `s3://` backend, with where its objects sit. */
export interface S3Bucket {
  sdk: S3Sdk;
  client: S3Client;
  location: S3Location;
}

/** Keys that stand in for the default credential chain (tests that talk to a store in process). */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** The HTTP status of a failed SDK call, if it got that far. */
export const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * A client of the bucket an `s3://` backend URL names, reached as Pulumi reaches the state:
 * the AWS SDK's default credential chain (environment, shared config and its `profile=`, web
 * identity, container and instance roles). `credentials` stand in for the chain (tests that
 * talk to a store in process). Shared by the stack lock and the state reader.
 */
export async function openS3Bucket(backendUrl: string, credentials?: S3Credentials): Promise<S3Bucket> {
  const location = parseS3BackendUrl(backendUrl);
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    ...(location.region ? { region: location.region } : {}),
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    ...(location.profile ? { profile: location.profile } : {}),
    ...(credentials ? { credentials } : {}),
    forcePathStyle: location.forcePathStyle,
    useDualstackEndpoint: location.dualstack,
    useFipsEndpoint: location.fips,
    // anonymous=true: unsigned requests, as gocloud sends them. Smithy's no-auth scheme: no
    // identity to resolve (so no credential chain runs) and a signer that leaves the request alone.
    ...(location.anonymous
      ? {
          httpAuthSchemes: [
            { schemeId: 'smithy.api#noAuth', identityProvider: () => async () => ({}), signer: { sign: async (request) => request } },
          ],
          httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }],
        }
      : {}),
    maxAttempts: 3,
  });
  return { sdk, client, location };
}
