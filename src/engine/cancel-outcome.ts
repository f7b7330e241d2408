import { describePending, type PendingOperation } from '../backend-state/pending-operations.js';
import { GitopsError } from '../errors/gitops-error.js';

/**
 * The CANCELLED error of a writing operation, once the engine has stopped: what it could not
 * finish (the pending operations it left in the state), or that everything in flight finished
 * and was recorded. `pending` is undefined when the state could not be read afterwards.
 */
export function cancelledOutcome(
  stack: string,
  error: GitopsError,
  pending: readonly PendingOperation[] | undefined,
  readError?: string,
): GitopsError {
  const details =
    pending === undefined
      ? [`whether operations were left pending is unknown: the state could not be read (${readError ?? 'no reason given'})`]
      : pending.length === 0
        ? ['every operation in flight finished and was recorded; nothing is pending']
        : [
            `${pending.length} operation${pending.length === 1 ? '' : 's'} could not finish:`,
            ...pending.map((p) => `  ${describePending(p)}`),
          ];
  const hint =
    pending && pending.length > 0
      ? `the next run of the stack stops on ${pending.length === 1 ? 'it' : 'them'}: settle with \`gitops recover --stack ${stack}\``
      : error.hint;
  return new GitopsError({
    code: error.code,
    kind: error.kind,
    message: error.message,
    details,
    ...(hint ? { hint } : {}),
    cause: error.cause,
  });
}
