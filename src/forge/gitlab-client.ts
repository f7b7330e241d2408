import {
  Commits,
  IssueNotes,
  Issues,
  MergeRequestApprovals,
  MergeRequestNotes,
  MergeRequests,
  PersonalAccessTokens,
  ProjectMembers,
  Projects,
  Users,
} from '@gitbeaker/rest';
import { unless } from './api-call.js';
import type { ForgeSettings } from './ci-settings.js';
import type { ForgeOptions, ForgeUser } from './forge.js';
import { type ForgeApi, forgeApi } from './forge-api.js';
import { gitlabRequester } from './gitlab-requester.js';

/** Lists come oldest first, so the first marked item wins if a race ever made two. */
export const oldestFirst = { perPage: 100, orderBy: 'created_at', sort: 'asc' } as const;

/** A GitLab user as answers embed one. */
export type GitlabUser = { id: number; username: string } | null | undefined;

/** Our view of an embedded user, compared by ID (see sameUser). */
export const userOf = (u: GitlabUser): ForgeUser | undefined => (u ? { id: u.id, username: u.username } : undefined);

function resources(ctx: ForgeSettings, options: ForgeOptions) {
  // gitbeaker appends /api/v4 itself. The token is handed over as a function so the client
  // objects never hold its value. Our requester replaces gitbeaker's retries (see gitlab-requester.ts).
  const clientOptions = {
    host: ctx.apiUrl.replace(/\/api\/v4$/, ''),
    token: async () => ctx.token.reveal(),
    queryTimeout: options.timeoutMs ?? 60_000,
    requesterFn: gitlabRequester(options.retryPolicy, options.onRetry),
  };
  return {
    notes: new MergeRequestNotes(clientOptions),
    approvals: new MergeRequestApprovals(clientOptions),
    commits: new Commits(clientOptions),
    issues: new Issues(clientOptions),
    issueNotes: new IssueNotes(clientOptions),
    mergeRequests: new MergeRequests(clientOptions),
    members: new ProjectMembers(clientOptions),
    tokens: new PersonalAccessTokens(clientOptions),
    projects: new Projects(clientOptions),
    users: new Users(clientOptions),
  };
}

/** The GitLab v4 REST API of one project, through @gitbeaker/rest. */
export interface GitlabClient extends ForgeApi {
  readonly rest: ReturnType<typeof resources>;
  /** A user's access level on the project, inherited included; undefined for a non-member (`absent` answers). */
  accessLevel(id: number, absent?: readonly number[]): Promise<number | undefined>;
}

/** The client of `ctx`'s project: one set of gitbeaker resources, our retry policy, our user asked once. */
export function gitlabClient(ctx: ForgeSettings, options: ForgeOptions = {}): GitlabClient {
  const rest = resources(ctx, options);
  const api = forgeApi(ctx, {
    platform: 'gitlab',
    projectPath: `/projects/${encodeURIComponent(ctx.project)}`,
    // A personal, project or group access token each has its own user.
    whoAmI: async (a) => {
      const me = await a.callRoot('GET', '/user', () => rest.users.showCurrentUser());
      return { id: me.id, username: me.username };
    },
    readDefaultBranch: async (a) => (await a.call('GET', '', () => rest.projects.show(ctx.project))).default_branch,
  });
  return {
    ...api,
    rest,
    accessLevel: (id, absent = [404]) =>
      api.call('GET', `/members/all/${id}`, () =>
        unless(absent, undefined, () =>
          rest.members.show(ctx.project, id, { includeInherited: true }).then((m) => m.access_level as number),
        ),
      ),
  };
}
