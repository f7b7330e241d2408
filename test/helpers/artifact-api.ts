import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer of the API: JSON, a zip archive, or a bare status (403, 404). */
export type Answer = { json: unknown } | { zip: Buffer } | { status: number };

/** A request the server saw: its path with query, and its headers. */
export interface SeenRequest {
  host: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A real local HTTP server answering the few forge calls the CI templates make to find and
 * download the plans artifact (GitHub's REST API, GitLab's API v4), so the templates' shell steps
 * run unchanged against it. Every API call needs `Authorization: Bearer <token>`. A zip answer is
 * a redirect to another host name (`localhost` instead of `127.0.0.1`), as both forges redirect
 * archive downloads to storage: what reaches that host shows whether the token leaked with it.
 */
export interface ArtifactApi {
  /** `http://127.0.0.1:PORT`: GitHub's API root; GitLab's is `${url}/api/v4`. */
  url: string;
  /** What `GET path` (with its query) answers; unknown paths answer 404. */
  answer(path: string, answer: Answer): void;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export async function startArtifactApi(token: string): Promise<ArtifactApi> {
  const answers = new Map<string, Answer>();
  const blobs = new Map<string, Buffer>();
  const seen: SeenRequest[] = [];
  let port = 0;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push({ host: req.headers.host ?? '', url, headers: req.headers });
    const blob = /^\/storage\/(\d+)$/.exec(url);
    if (blob) {
      const bytes = blobs.get(blob[1]!);
      res.writeHead(bytes ? 200 : 404, { 'content-type': 'application/zip' }).end(bytes);
      return;
    }
    if (req.method !== 'GET' || req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"401 Unauthorized"}');
      return;
    }
    const answer = answers.get(url);
    if (!answer || 'status' in answer) {
      const status = answer && 'status' in answer ? answer.status : 404;
      res.writeHead(status, { 'content-type': 'application/json' }).end(`{"message":"${status}"}`);
    } else if ('json' in answer) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.json));
    } else {
      const id = String(blobs.size + 1);
      blobs.set(id, answer.zip);
      res.writeHead(302, { location: `http://localhost:${port}/storage/${id}` }).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    answer: (path, answer) => void answers.set(path, answer),
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
