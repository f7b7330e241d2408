import { GitopsError } from '../errors/gitops-error.js';

/** Where a stack's state is kept on a DIY backend (no query: it may hold credentials). */
export function stateLocation(backendUrl: string, project: string, stack: string): string {
  const base = backendUrl.split('?')[0]!.replace(/\/+$/, '');
  return `${base}/.pulumi/stacks/${project}/${stack}.json`;
}

/**
 * Pulumi's "failed to load checkpoint" names no file: the error, reworded to name the state it
 * could not load and where the previous versions are. Other errors pass unchanged.
 */
export function namedCheckpointError(stack: string, error: GitopsError, where: string): GitopsError {
  const at = error.message.indexOf('failed to load checkpoint');
  if (error.code !== 'ENGINE_ERROR' || at < 0) return error;
  const detail = error.message.slice(at + 'failed to load checkpoint'.length).replace(/^:\s*/, '');
  return new GitopsError({
    code: 'ENGINE_ERROR',
    kind: 'external',
    message: `stack ${stack}: its state ${where} cannot be loaded${detail ? `: ${detail}` : ''}; nothing was run`,
    hint: 'Pulumi keeps the previous version next to it (.json.bak, and each update under .pulumi/history/): check it, then copy it back',
    cause: error.cause ?? error,
  });
}
