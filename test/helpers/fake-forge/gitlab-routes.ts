/**
 * The GitLab v4 routes of the fake forge, one file per API area; this one holds who is who:
 * the token's user, its scopes, users, the project and its members.
 */
import { gitlabCommitRoutes } from './gitlab-commit-routes.js';
import { gitlabIssueRoutes } from './gitlab-issue-routes.js';
import { gitlabMergeRequestRoutes } from './gitlab-mr-routes.js';
import { gitlabNoteRoutes } from './gitlab-note-routes.js';
import { type GitlabKit, gitlabShapes } from './gitlab-shapes.js';
import { type Call, gitlabError, ok, type Route } from './http.js';
import type { FakeState } from './state.js';

// GitLab docs: https://docs.gitlab.com/api/ (v4). Citations below name the page and section.
export function gitlabRoutes(state: FakeState, base: string): Route[] {
  const kit: GitlabKit = { state, base, shapes: gitlabShapes(state, base) };
  return [
    ...accessRoutes(kit),
    ...gitlabNoteRoutes(kit),
    ...gitlabMergeRequestRoutes(kit),
    ...gitlabCommitRoutes(kit),
    ...gitlabIssueRoutes(kit),
  ];
}

function accessRoutes({ state, base, shapes }: GitlabKit): Route[] {
  const { basicUser, findUser } = shapes;
  const currentUser = (c: Call) => {
    const u = state.user('gitlab', c.actor.username);
    return { ...basicUser(u.username), bot: u.bot };
  };
  // A token's user is a member at the token's level (a project access token's bot user is).
  const tokenLevel = (username: string) =>
    [...state.identities.gitlab.values()].find((i) => i.username === username)?.accessLevel ?? (username === 'gitops-bot' ? 40 : undefined);
  return [
    // users.md "Get the current user": the account behind the token; project/group access tokens have bot users.
    { method: 'GET', pattern: ['user'], handle: (c) => ok(currentUser(c)) },
    // personal_access_tokens.md "Get single personal access token" (`self`): the token's scopes; project and
    // group access tokens answer too.
    {
      method: 'GET',
      pattern: ['personal_access_tokens', 'self'],
      handle: (c) => ok({ id: 1, name: 'gitops', active: true, revoked: false, scopes: c.actor.scopes ?? ['api'] }),
    },
    // users.md "Get a single user": `bot` tells bot accounts apart.
    {
      method: 'GET',
      pattern: ['users', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        return u
          ? ok({ ...basicUser(u.username), bot: u.bot, public_email: `${u.username}@users.example` })
          : gitlabError(404, '404 User Not Found');
      },
    },
    // projects.md "Get a single project".
    {
      method: 'GET',
      pattern: ['projects', ':id'],
      handle: (c) => ok({ id: Number(c.params.id) || 1, default_branch: c.project.defaultBranch, web_url: `${base}/${c.params.id}` }),
    },
    // members.md "Get a member of a group or project, including inherited and invited members": 404 for a non-member.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'members', 'all', ':uid'],
      handle: (c) => {
        const u = findUser(Number(c.params.uid));
        const level = u ? (c.project.members.get(u.username) ?? tokenLevel(u.username)) : undefined;
        return u && level !== undefined
          ? ok({ ...basicUser(u.username), access_level: level, expires_at: null })
          : gitlabError(404, '404 Not found');
      },
    },
  ];
}
