import { beforeAll, describe, expect, it } from 'vitest';
import { type MockedResource, mockPulumi, settle } from '../helpers/pulumi-mocks.js';

describe('programs/aws-bucket (Pulumi mocks)', () => {
  let resources: MockedResource[];
  const byType = (type: string) => resources.find((r) => r.type === type)!;

  beforeAll(async () => {
    resources = await mockPulumi('aws-bucket', 'production', {
      'aws:region': 'eu-west-1',
      'aws-bucket:tags': { team: 'platform', env: 'production' },
    });
    const { default: program } = await import('../../programs/aws-bucket/index.js');
    await program();
    await settle();
  });

  it('tags the bucket with the team tags and the stack', () => {
    expect(byType('aws:s3/bucket:Bucket').inputs.tags).toEqual({
      team: 'platform',
      env: 'production',
      'managed-by': 'pulumi-gitops',
      stack: 'production',
    });
    expect(byType('aws:s3/bucket:Bucket').inputs.bucketPrefix).toBe('gitops-production-');
  });

  it('turns versioning on and encrypts with KMS by default', () => {
    expect(byType('aws:s3/bucketVersioning:BucketVersioning').inputs.versioningConfiguration).toEqual({ status: 'Enabled' });
    expect(byType('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration').inputs.rules[0]).toEqual({
      applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' },
      bucketKeyEnabled: true,
    });
  });

  it('blocks every kind of public access', () => {
    const block = byType('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs;
    expect([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets]).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('the policy denies plain HTTP on the bucket and its objects', () => {
    const policy = JSON.parse(byType('aws:s3/bucketPolicy:BucketPolicy').inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: ['arn:aws:s3:::bucket-bucket', 'arn:aws:s3:::bucket-bucket/*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
  });
});
