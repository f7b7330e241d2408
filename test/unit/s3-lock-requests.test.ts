import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3LockStore } from '../../src/state-lock/s3-lock-store.js';

// The AWS SDK warns that its 2027 releases need Node 22; bin/gitops.js silences it the same way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * The requests the S3 lock store sends, as an S3 endpoint receives them (a local HTTP server
 * answering like S3): the conditional headers that make the lock safe, the key beside the state,
 * and signing (or, with `anonymous=true`, none). The real store's answers are checked in
 * test/e2e/s3-stack-lock.test.ts.
 */
describe('S3 lock store requests', () => {
  let server: Server;
  let endpoint = '';
  const seen: Seen[] = [];
  let exists = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      req.resume();
      req.on('end', () => {
        if (req.method === 'PUT') {
          const refused = exists && req.headers['if-none-match'] === '*';
          exists = true;
          res.writeHead(refused ? 412 : 200, refused ? { 'content-type': 'application/xml' } : { etag: '"e1"' });
          res.end(
            refused
              ? '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>'
              : '',
          );
        } else if (req.method === 'GET') {
          res.writeHead(exists ? 200 : 404, exists ? { etag: '"e1"' } : { 'content-type': 'application/xml' });
          res.end(exists ? 'lock' : '<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>');
        } else {
          exists = false;
          res.writeHead(204);
          res.end();
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('creates with If-None-Match: *, path-style under the URL prefix, signed; a second create is refused; delete carries If-Match', async () => {
    seen.length = 0;
    const url = `s3://state/team?endpoint=${encodeURIComponent(endpoint)}&use_path_style=true&region=eu-west-1`;
    const store = await S3LockStore.open(url, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' });
    expect(await store.create('web', 'prod', '{}')).toBe('"e1"');
    expect(await store.create('web', 'prod', '{}')).toBeUndefined();
    expect(await store.remove('web', 'prod', '"e1"')).toBe('removed');
    const put = seen.find((s) => s.method === 'PUT')!;
    expect(put.url).toMatch(/^\/state\/team\/\.gitops\/locks\/web\/prod\.json/);
    expect(put.headers['if-none-match']).toBe('*');
    expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
    const del = seen.find((s) => s.method === 'DELETE')!;
    expect(del.headers['if-match']).toBe('"e1"');
  });

  it('anonymous=true sends unsigned requests', async () => {
    seen.length = 0;
    exists = false;
    const store = await S3LockStore.open(
      `s3://state?endpoint=${encodeURIComponent(endpoint)}&use_path_style=true&region=us-east-1&anonymous=true`,
    );
    expect(await store.create('web', 'prod', '{}')).toBe('"e1"');
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });
});
