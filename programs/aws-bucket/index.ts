import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/**
 * An S3 bucket the way a platform team hands one out: versioning on, KMS encryption by
 * default, public access blocked, a policy that refuses plain HTTP, and the team's tags.
 */
export default async function program(): Promise<Record<string, unknown>> {
  const config = new pulumi.Config();
  const prefix = config.get('bucketPrefix') ?? `gitops-${pulumi.getStack()}`;
  const tags = { ...(config.getObject<Record<string, string>>('tags') ?? {}), 'managed-by': 'pulumi-gitops', stack: pulumi.getStack() };

  const bucket = new aws.s3.Bucket('bucket', {
    bucketPrefix: `${prefix}-`,
    forceDestroy: config.getBoolean('forceDestroy') ?? false,
    tags,
  });
  new aws.s3.BucketVersioning('versioning', { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } });
  new aws.s3.BucketServerSideEncryptionConfiguration('encryption', {
    bucket: bucket.id,
    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
  });
  const publicAccess = new aws.s3.BucketPublicAccessBlock('public-access', {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new aws.s3.BucketPolicy(
    'tls-only',
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      }),
    },
    { dependsOn: [publicAccess] },
  );
  return { bucket: bucket.id, arn: bucket.arn };
}
