import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unknownCreatesOf } from '../../src/engine/unknown-outcome.js';
import { readUnknownCreates, recordUnknownCreates, settleUnknownCreates } from '../../src/engine/unknown-outcome-store.js';
import { S3LockStore } from '../../src/state-lock/s3-lock-store.js';

// The AWS SDK warns that its 2027 releases need Node 22; bin/gitops.js silences it the same way.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const precondition = '<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions did not hold</Message></Error>';

/**
 * The record of creates of unknown outcome on an S3 backend, as an S3 endpoint receives it (a
 * local HTTP server that honours If-None-Match and If-Match like S3): beside the stack lock
 * under `.gitops/unknown/`, every change a conditional write on the version read.
 */
describe('S3 record of creates of unknown outcome: requests', () => {
  let server: Server;
  let endpoint = '';
  const seen: Seen[] = [];
  const objects = new Map<string, { body: string; etag: string }>();
  let version = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers });
      let body = '';
      req.setEncoding('utf8').on('data', (d: string) => (body += d));
      req.on('end', () => {
        const key = req.url!.split('?')[0]!;
        const current = objects.get(key);
        const ifMatch = req.headers['if-match'];
        const refused =
          (req.headers['if-none-match'] === '*' && current !== undefined) || (ifMatch !== undefined && ifMatch !== current?.etag);
        if (req.method !== 'GET' && refused) {
          res.writeHead(412, { 'content-type': 'application/xml' });
          res.end(precondition);
        } else if (req.method === 'PUT') {
          const etag = `"v${++version}"`;
          objects.set(key, { body, etag });
          res.writeHead(200, { etag });
          res.end();
        } else if (req.method === 'GET') {
          res.writeHead(current ? 200 : 404, current ? { etag: current.etag } : { 'content-type': 'application/xml' });
          res.end(current ? current.body : '<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>');
        } else {
          objects.delete(key);
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

  it('creates with If-None-Match, merges with If-Match on the version read, deletes with If-Match; racing writers both land', async () => {
    const url = `s3://state/team?endpoint=${encodeURIComponent(endpoint)}&use_path_style=true&region=eu-west-1`;
    const store = (await S3LockStore.open(url, { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' })).ofKind('unknown');
    expect(store.where('web', 'prod')).toBe('s3://state/team/.gitops/unknown/web/prod.json');
    const ref = { name: 'web-prod', project: 'web', stack: 'prod' };
    const urn = (n: string): string => `urn:pulumi:prod::web::t:x:Y::${n}`;
    const run = { at: '2026-11-27T15:00:00.000Z', command: 'gitops deploy', host: 'h' };

    await Promise.all(['a', 'b', 'c'].map((n) => recordUnknownCreates(store, ref, unknownCreatesOf([urn(n)], run))));
    expect((await readUnknownCreates(store, ref)).map((c) => c.name).sort()).toEqual(['a', 'b', 'c']);
    const puts = seen.filter((s) => s.method === 'PUT');
    expect(puts[0]!.url).toMatch(/^\/state\/team\/\.gitops\/unknown\/web\/prod\.json/);
    expect(puts[0]!.headers['if-none-match']).toBe('*');
    expect(puts.some((p) => /^"v\d+"$/.test(String(p.headers['if-match'])))).toBe(true);
    // A replace of a version that moved is answered 412: the writer reads and merges again.
    expect(await store.replace('web', 'prod', '{}', '"v0"')).toBeUndefined();
    expect((await readUnknownCreates(store, ref)).map((c) => c.name).sort()).toEqual(['a', 'b', 'c']);

    await settleUnknownCreates(store, ref, [urn('a'), urn('b'), urn('c')]);
    expect(await readUnknownCreates(store, ref)).toEqual([]);
    const del = seen.find((s) => s.method === 'DELETE')!;
    expect(del.headers['if-match']).toMatch(/^"v\d+"$/);
  });
});
