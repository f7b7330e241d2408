/** The update message prefix of `gitops deploy` (see `updateMessage`): what the stack's history records as deployed. */
const deployMessage = /^gitops deploy of ([0-9a-f]{7,40})\b/;

/**
 * The commit of the newest successful `gitops deploy` update in a stack's history (newest first),
 * or undefined. Drift remediations, refreshes and failed updates are passed over: they deploy no
 * new commit. Pure.
 */
export function lastDeployedCommitOf(history: readonly { kind: string; result?: string; message?: string }[]): string | undefined {
  for (const u of history) {
    if (u.kind !== 'update' || u.result !== 'succeeded') continue;
    const m = deployMessage.exec(u.message ?? '');
    if (m) return m[1];
  }
  return undefined;
}
