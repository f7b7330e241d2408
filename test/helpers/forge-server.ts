/**
 * A real HTTP server on 127.0.0.1 that answers the subset of the GitLab v4 and GitHub REST
 * APIs the forge layer uses, with in-memory state, token checks, real pagination headers
 * and a log of every request. GitLab lives under `/api/v4`, GitHub under `/api/v3` (the
 * GitHub Enterprise layout), so the real clients talk to it unchanged.
 *
 * Where a behaviour matters to what we trust (who wrote a comment, who approved what commit,
 * who may approve, which merge request landed a commit), it follows the platform's API docs,
 * cited at each route. Each token acts as one user (`addToken`), so ownership is real.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forgeSettingsFromEnv } from '../../src/forge/ci-settings.js';
import { createForge } from '../../src/forge/create-forge.js';
import type { Forge, ForgeOptions } from '../../src/forge/forge.js';
import { githubRoutes } from './fake-forge/github-routes.js';
import { gitlabRoutes } from './fake-forge/gitlab-routes.js';
import { type Call, faultReply, githubError, gitlabError, identityOf, match, type Reply, type Route, readBody } from './fake-forge/http.js';
import type { FakeIdentity, FakePlatform, FakeProject, FaultRule, ForgeServer, RecordedRequest } from './fake-forge/model.js';
import { createState, emptyProject } from './fake-forge/state.js';
import { githubRefusal, gitlabRefusal, roleGithubPermissions, templateGithubPermissions } from './forge-permissions.js';

export * from './fake-forge/model.js';
export { fakeSha } from './fake-forge/state.js';

/** Starts the server on 127.0.0.1 on a free port. Tokens are in `state.tokens`. */
export async function startForgeServer(): Promise<ForgeServer> {
  const state = createState();
  const requests: RecordedRequest[] = [];
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const routes: Record<FakePlatform, Route[]> = { gitlab: gitlabRoutes(state, url), github: githubRoutes(state, url) };

  server.on('request', (req, res) => {
    void (async () => {
      const selfUrl = new URL(req.url ?? '/', url);
      const platform: FakePlatform | 'unknown' = selfUrl.pathname.startsWith('/api/v4/')
        ? 'gitlab'
        : selfUrl.pathname.startsWith('/api/v3/')
          ? 'github'
          : 'unknown';
      const path = platform === 'unknown' ? selfUrl.pathname : selfUrl.pathname.slice('/api/v4'.length);
      const record: RecordedRequest = {
        platform,
        method: req.method ?? 'GET',
        path,
        query: Object.fromEntries(selfUrl.searchParams),
        headers: req.headers,
        body: undefined,
        status: 0,
      };
      requests.push(record);
      let reply: Reply;
      try {
        const body = await readBody(req);
        record.body = body;
        const fault = takeFault(platform, record.method, path);
        if (fault && fault.when !== 'after') reply = faultReply(fault);
        else if (platform === 'unknown') reply = { status: 404, body: { message: 'Not Found' } };
        else {
          const actor = identityOf(platform, req.headers, state.identities[platform]);
          if (!actor) reply = platform === 'gitlab' ? gitlabError(401, '401 Unauthorized') : githubError(401, 'Bad credentials');
          else reply = route(platform, record.method, path, { query: selfUrl.searchParams, body, selfUrl, actor });
          if (fault) reply = faultReply(fault);
        }
      } catch (err) {
        reply = { status: 500, body: { message: err instanceof Error ? err.message : String(err) } };
      }
      record.status = reply.status;
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    })();
  });

  /** The first unspent fault matching the request, counted down. */
  function takeFault(platform: FakePlatform | 'unknown', method: string, path: string): FaultRule | undefined {
    const rule = state.faults.find(
      (f) =>
        f.times > 0 &&
        (f.platform === undefined || f.platform === platform) &&
        f.method === method &&
        (typeof f.path === 'string' ? path.includes(f.path) : f.path.test(path)),
    );
    if (rule) rule.times--;
    return rule;
  }

  /** The 403 a token without the route's role or permission gets (see forge-permissions.ts). */
  function refusal(platform: FakePlatform, r: Route, project: FakeProject, actor: FakeIdentity): Reply | undefined {
    if (platform === 'gitlab') {
      const level = project.members.get(actor.username) ?? actor.accessLevel ?? 40;
      const why = gitlabRefusal(r.method, r.pattern, level, actor.scopes ?? ['api']);
      return why ? gitlabError(403, why) : undefined;
    }
    const held = actor.installation
      ? (actor.permissions ?? templateGithubPermissions)
      : roleGithubPermissions(project.collaborators.get(actor.username) ?? actor.role ?? 'write');
    const needed = githubRefusal(r.method, r.pattern, held);
    if (!needed) return undefined;
    return {
      ...githubError(
        403,
        actor.installation ? 'Resource not accessible by integration' : 'Resource not accessible by personal access token',
      ),
      headers: { 'x-accepted-github-permissions': needed },
    };
  }

  function route(platform: FakePlatform, method: string, path: string, call: Omit<Call, 'params' | 'project'>): Reply {
    const segments = path
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    for (const r of routes[platform]) {
      const params = r.method === method ? match(r.pattern, segments) : undefined;
      if (!params) continue;
      const key = platform === 'gitlab' ? params.id : params.owner && `${params.owner}/${params.repo}`;
      // Routes outside a project (/user, /users/:id) get a throwaway one.
      const project = key ? state.project(platform, key) : emptyProject();
      const refused = refusal(platform, r, project, call.actor);
      if (refused) return refused;
      return r.handle({ ...call, params, project });
    }
    return platform === 'gitlab' ? gitlabError(404, '404 Not Found') : githubError(404, 'Not Found');
  }

  return {
    url,
    gitlabApiUrl: `${url}/api/v4`,
    githubApiUrl: `${url}/api/v3`,
    state,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** The example project of each platform the tests use. */
export const testProjects = { gitlab: '42', github: 'acme/infra' } as const;

/**
 * The predefined CI variables a pipeline of `platform` would have, pointing at this server
 * with a valid token; `extra` adds or overrides (undefined removes).
 */
export function ciEnv(
  server: ForgeServer,
  platform: FakePlatform,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  const base: Record<string, string | undefined> =
    platform === 'gitlab'
      ? {
          GITLAB_CI: 'true',
          CI_API_V4_URL: server.gitlabApiUrl,
          CI_PROJECT_ID: testProjects.gitlab,
          GITOPS_GITLAB_TOKEN: server.state.tokens.gitlab,
          CI_PIPELINE_URL: `${server.url}/42/-/pipelines/1`,
          CI_PIPELINE_ID: '1',
          CI_JOB_URL: `${server.url}/42/-/jobs/11`,
          CI_COMMIT_SHA: 'a'.repeat(40),
          CI_DEFAULT_BRANCH: 'main',
          CI_PROJECT_URL: `${server.url}/group/infra`,
        }
      : {
          GITHUB_ACTIONS: 'true',
          GITHUB_API_URL: server.githubApiUrl,
          GITHUB_REPOSITORY: testProjects.github,
          GITHUB_TOKEN: server.state.tokens.github,
          GITHUB_SERVER_URL: server.url,
          GITHUB_RUN_ID: '99',
          GITHUB_RUN_ATTEMPT: '1',
          GITHUB_SHA: 'b'.repeat(40),
        };
  return { ...base, ...extra };
}

/**
 * Client options for in-process tests: the same retry decisions with waits in tens of
 * milliseconds, and no spacing between GitHub writes. The CLI in e2e tests runs with the defaults.
 */
export const testForgeOptions: ForgeOptions = {
  retryPolicy: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 5_000, maxTotalMs: 10_000 },
  writeSpacingMs: 0,
};

/** A new local server and a real GitLab client talking to it, as a pipeline's CI variables would set it up. */
export async function startGitlabForge(): Promise<{ server: ForgeServer; forge: Forge }> {
  const server = await startForgeServer();
  return { server, forge: createForge(forgeSettingsFromEnv(ciEnv(server, 'gitlab')), testForgeOptions) };
}
