import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an S3 request asked for: a listing, an object's bytes or head, a write, a delete, or anything else. */
export type S3RequestKind = 'LIST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'OTHER';

/** Who sent it, by its User-Agent: gitops (the AWS SDK for JavaScript), Pulumi (the AWS SDK for Go), or another client. */
export type S3Sender = 'gitops' | 'pulumi' | 'other';

/** One request as the counter saw it. */
export interface SeenRequest {
  sender: S3Sender;
  kind: S3RequestKind;
  /** The object key under the bucket (path-style: the path after `/<bucket>/`), or the listing's prefix. */
  key: string;
}

/** A counting HTTP proxy in front of an S3 endpoint (SeaweedFS in the tests and the bench). */
export interface S3RequestCounter {
  /** `http://127.0.0.1:<port>`: use it as the backend URL's `endpoint`. */
  endpoint: string;
  /** Every request since the start or the last {@link reset}, in arrival order. */
  seen(): readonly SeenRequest[];
  /** Requests of `sender`, by kind. */
  count(sender: S3Sender): Record<S3RequestKind, number>;
  reset(): void;
  stop(): Promise<void>;
}

function senderOf(userAgent: string | undefined): S3Sender {
  if (!userAgent) return 'other';
  if (/aws-sdk-js/i.test(userAgent)) return 'gitops';
  if (/aws-sdk-go/i.test(userAgent)) return 'pulumi';
  return 'other';
}

function describe(method: string, url: string): Pick<SeenRequest, 'kind' | 'key'> {
  const parsed = new URL(url, 'http://s3');
  const [, , ...rest] = parsed.pathname.split('/');
  const key = decodeURIComponent(rest.join('/'));
  if (method === 'GET' && (parsed.searchParams.has('list-type') || key === '')) {
    return { kind: 'LIST', key: parsed.searchParams.get('prefix') ?? '' };
  }
  if (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE') return { kind: method, key };
  return { kind: 'OTHER', key };
}

/**
 * Starts a proxy on loopback that forwards every request to `target` unchanged (the Host header
 * too, so SigV4 signatures still verify) and records what each asked for and who sent it.
 * Counting at the wire is what an S3 bill counts; the sender tells gitops' own reads from the
 * Pulumi engine's when both use the store.
 */
export async function startS3RequestCounter(target: string): Promise<S3RequestCounter> {
  const to = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let seen: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ sender: senderOf(req.headers['user-agent']), ...describe(req.method!, req.url!) });
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen: () => seen,
    count(sender) {
      const out: Record<S3RequestKind, number> = { LIST: 0, GET: 0, HEAD: 0, PUT: 0, DELETE: 0, OTHER: 0 };
      for (const s of seen) if (s.sender === sender) out[s.kind]++;
      return out;
    },
    reset() {
      seen = [];
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
    },
  };
}
