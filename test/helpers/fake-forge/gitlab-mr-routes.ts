/** GitLab merge requests: the MR, its commits, its approvals, and the project's approval settings (merge_requests.md, merge_request_approvals.md). */

import { type GitlabKit, mrState } from './gitlab-shapes.js';
import { gitlabError, ok, page, type Route } from './http.js';

export function gitlabMergeRequestRoutes({ shapes }: GitlabKit): Route[] {
  const { mrOf, basicUser } = shapes;
  return [
    // merge_requests.md "Get single MR".
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid'],
      handle: (c) => {
        const mr = mrOf(c);
        return mr ? ok(shapes.mergeRequest(c, mr)) : gitlabError(404, '404 Not found');
      },
    },
    // merge_requests.md "Get single merge request commits": authors and committers by name and email, never by user.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'commits'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        return page(
          'gitlab',
          mr.commits.map((k) => ({
            id: k.sha,
            short_id: k.sha.slice(0, 8),
            author_name: k.author,
            author_email: `${k.author}@users.example`,
            committer_name: k.committer,
            committer_email: `${k.committer}@users.example`,
          })),
          c,
        );
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (GET .../approvals). The Free
    // shape has `approved` and `approved_by` only (any approval approves); Premium adds approvals_required/left.
    // `approved_by` carries users, never a commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approvals'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr) return gitlabError(404, '404 Not found');
        const common = {
          id: mr.number + 9000,
          iid: mr.number,
          project_id: Number(c.params.id) || 1,
          title: mr.title,
          state: mrState[mr.state],
          merge_status: 'can_be_merged',
        };
        const approvedBy = mr.approvedBy.map((u) => ({ user: basicUser(u) }));
        if (c.project.tier === 'free')
          return ok({
            ...common,
            approved: mr.approvedBy.length > 0,
            user_has_approved: false,
            user_can_approve: false,
            approved_by: approvedBy,
          });
        const left = Math.max(0, mr.approvalsRequired - mr.approvedBy.length);
        return ok({
          ...common,
          approved: left === 0,
          approvals_required: mr.approvalsRequired,
          approvals_left: left,
          approved_by: approvedBy,
          has_approval_rules: mr.approvalsRequired > 0,
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval state for a merge request" (approval_state), Premium: rules, still no commit.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'merge_requests', ':iid', 'approval_state'],
      handle: (c) => {
        const mr = mrOf(c);
        if (!mr || c.project.tier === 'free') return gitlabError(404, '404 Not found');
        const rule = {
          id: 1,
          name: 'All Members',
          rule_type: 'any_approver',
          eligible_approvers: [],
          approvals_required: mr.approvalsRequired,
          users: [],
          groups: [],
          contains_hidden_groups: false,
          overridden: false,
        };
        return ok({
          approval_rules_overwritten: false,
          rules: [{ ...rule, approved_by: mr.approvedBy.map(basicUser), approved: mr.approvedBy.length >= mr.approvalsRequired }],
        });
      },
    },
    // merge_request_approvals.md "Retrieve approval configuration for a project": Premium/Ultimate only, so a
    // Free project answers 404; `reset_approvals_on_push` removes approvals when commits are added.
    {
      method: 'GET',
      pattern: ['projects', ':id', 'approvals'],
      handle: (c) => {
        if (c.project.tier === 'free') return gitlabError(404, '404 Not Found');
        return ok({
          approvals_before_merge: 0,
          reset_approvals_on_push: c.project.resetApprovalsOnPush,
          selective_code_owner_removals: false,
          disable_overriding_approvers_per_merge_request: false,
          merge_requests_author_approval: false,
          merge_requests_disable_committers_approval: false,
          require_password_to_approve: false,
        });
      },
    },
  ];
}
