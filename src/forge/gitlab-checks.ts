import { assertAccess } from './access.js';
import { unless } from './api-call.js';
import type { Approvals, ForgeJob } from './forge.js';
import { gitlabAccess } from './gitlab-access.js';
import { gitlabApprovals } from './gitlab-approvals.js';
import { type GitlabClient, userOf } from './gitlab-client.js';
import type { GitlabMergeRequest } from './gitlab-merge-requests.js';

/*
 * The API reads behind the two checks whose rules live in gitlab-access.ts and gitlab-approvals.ts.
 */

/** Whether the project keeps approvals across pushes. Premium/Ultimate only: Free has no such endpoint (404); 403 without access. */
const approvalSettings = (client: GitlabClient) =>
  client.call('GET', '/approvals', () => unless([403, 404], undefined, () => client.rest.approvals.showConfiguration(client.ctx.project)));

/** The rights `job` needs, read from the token's scopes, its user's access level and the approval settings. */
export async function checkGitlabAccess(client: GitlabClient, job: ForgeJob): Promise<string[]> {
  const { ctx, rest } = client;
  const check = await gitlabAccess(job, {
    accessLevel: async () => {
      const self = await client.self();
      // A token that is no member of a private project may not even read its members: 403.
      return client.accessLevel(self.id!, [403, 404]);
    },
    scopes: () =>
      client.callRoot('GET', '/personal_access_tokens/self', () =>
        unless([401, 403, 404], undefined, () => rest.tokens.show().then((t) => (t as { scopes?: string[] }).scopes)),
      ),
    resetApprovalsOnPush: async () => {
      const settings = await approvalSettings(client);
      return settings === undefined ? undefined : (settings as { reset_approvals_on_push?: boolean }).reset_approvals_on_push === true;
    },
  });
  return assertAccess('gitlab', job, ctx.tokenVariable, check);
}

/** See {@link gitlabApprovals}: who approved merge request `iid`, and which of them count. */
export async function gitlabMergeRequestApprovals(client: GitlabClient, iid: number): Promise<Approvals> {
  const { ctx, rest } = client;
  const project = ctx.project;
  const merge = (await client.call('GET', `/merge_requests/${iid}`, () =>
    rest.mergeRequests.show(project, iid),
  )) as unknown as GitlabMergeRequest;
  return gitlabApprovals({
    author: userOf(merge.author),
    self: await client.self(),
    approvals: () =>
      client.call('GET', `/merge_requests/${iid}/approvals`, () => rest.approvals.showConfiguration(project, { mergerequestIId: iid })),
    projectSettings: () => approvalSettings(client),
    accessLevel: (id) => client.accessLevel(id),
    userFacts: (id) =>
      client.callRoot('GET', `/users/${id}`, () =>
        rest.users.show(id).then((u) => {
          const user = u as unknown as { bot?: boolean; name?: string; public_email?: string };
          return { bot: user.bot === true, name: user.name, publicEmail: user.public_email || undefined };
        }),
      ),
    commitPeople: async () => {
      const commits = (await client.call('GET', `/merge_requests/${iid}/commits`, () =>
        rest.mergeRequests.allCommits(project, iid),
      )) as unknown as { author_name?: string; author_email?: string; committer_name?: string; committer_email?: string }[];
      const present = (list: (string | undefined)[]) => list.filter((x): x is string => x !== undefined && x !== '');
      return {
        names: present(commits.flatMap((c) => [c.author_name, c.committer_name])),
        emails: present(commits.flatMap((c) => [c.author_email, c.committer_email])),
      };
    },
  });
}
