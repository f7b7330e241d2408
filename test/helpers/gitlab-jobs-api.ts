import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ForgeServer } from './fake-forge/model.js';

/** A job of a pipeline as GitLab lists it; `artifacts` is the job's archive (a zip), when it kept one. */
export interface FakeJob {
  id: number;
  name: string;
  artifacts?: Buffer;
}

/** A merge request pipeline: its head commit, its ref and its jobs. */
export interface FakePipeline {
  id: number;
  mergeRequest: number;
  sha: string;
  ref: string;
  jobs: FakeJob[];
}

/**
 * GitLab's API v4 for a CI job: the pipelines of a merge request, a pipeline's jobs and a job's
 * artifacts archive (what the deploy job's plan fetch reads) answered from `addPipeline`;
 * every other request passed on unchanged to the local forge server, which answers the merge
 * requests, notes, approvals, statuses and issues. Pipeline routes need a token the forge knows.
 */
export interface GitlabJobsApi {
  /** `http://127.0.0.1:PORT/api/v4`, for CI_API_V4_URL. */
  apiUrl: string;
  addPipeline(project: string, pipeline: FakePipeline): void;
  close(): Promise<void>;
}

const json = (res: http.ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export async function startGitlabJobsApi(forge: ForgeServer): Promise<GitlabJobsApi> {
  const pipelines = new Map<string, FakePipeline[]>();
  const known = (req: http.IncomingMessage) => {
    const token = (req.headers['private-token'] as string | undefined) ?? /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return token !== undefined && forge.state.identities.gitlab.has(token);
  };
  /** Answers a pipeline route, or returns false for the forge to answer. */
  const pipelineRoute = (req: http.IncomingMessage, res: http.ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v4\/projects\/([^/]+)\/(?:merge_requests\/(\d+)\/pipelines|pipelines\/(\d+)\/jobs|jobs\/(\d+)\/artifacts)$/.exec(
      url.pathname,
    );
    if (req.method !== 'GET' || !m) return false;
    if (!known(req)) {
      json(res, 401, { message: '401 Unauthorized' });
      return true;
    }
    const list = pipelines.get(decodeURIComponent(m[1]!)) ?? [];
    if (m[2])
      json(
        res,
        200,
        list.filter((p) => p.mergeRequest === Number(m[2])).map(({ id, sha, ref }) => ({ id, sha, ref })),
      );
    else if (m[3]) {
      const pipeline = list.find((p) => p.id === Number(m[3]));
      if (!pipeline) json(res, 404, { message: '404 Pipeline Not Found' });
      else
        json(
          res,
          200,
          pipeline.jobs.map((j) => ({ id: j.id, name: j.name, artifacts_file: j.artifacts ? { filename: 'artifacts.zip' } : null })),
        );
    } else {
      const job = list.flatMap((p) => p.jobs).find((j) => j.id === Number(m[4]));
      if (!job?.artifacts) json(res, 404, { message: '404 Not Found' });
      else res.writeHead(200, { 'content-type': 'application/zip' }).end(job.artifacts);
    }
    return true;
  };
  const target = new URL(forge.url);
  const server = http.createServer((req, res) => {
    if (pipelineRoute(req, res)) return;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    upstream.on('error', (err) => json(res, 502, { message: String(err) }));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`,
    addPipeline: (project, pipeline) => void pipelines.set(project, [...(pipelines.get(project) ?? []), pipeline]),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
