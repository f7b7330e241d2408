import { describe, expect, it } from 'vitest';
import { signV4 } from '../helpers/s3-client.js';

/**
 * The S3 tests' request signer against AWS's own worked example ("GET Bucket (List Objects)" in
 * "Examples: Signature Calculations in AWS Signature Version 4"), so a failing S3 test points at
 * the server, not at the signer.
 */
describe('signV4', () => {
  it('reproduces the signature of the documented list-objects example', () => {
    const headers = signV4(
      {
        method: 'GET',
        url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'),
        body: '',
        region: 'us-east-1',
        now: new Date('2013-05-24T00:00:00Z'),
      },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    );
    expect(headers['x-amz-date']).toBe('20130524T000000Z');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    );
  });
});
