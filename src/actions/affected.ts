import { parseFileList } from '../affected/affected.js';
import type { ActionContext } from '../api/action-context.js';
import { affectedStacks, type ChangeRequest, type ChangeScope } from '../merge-request/change-scope.js';

/** The changed files as given on the command line (comma- or line-separated) or on stdin (one per line). */
export interface FileList {
  text: string;
  commas: boolean;
}

/**
 * `gitops affected`, and the first step of `preview --base` and `deploy --base`: the stacks a
 * change affects, and why, from git or from a list of changed files.
 */
export function findAffected(ctx: ActionContext, request: Omit<ChangeRequest, 'files'> & { files?: FileList }): Promise<ChangeScope> {
  const { files, ...change } = request;
  return affectedStacks(ctx, files ? { ...change, files: parseFileList(files.text, { commas: files.commas }) } : change);
}
