/**
 * The stack tag every successful `gitops deploy` (up) sets to the full commit it deployed; a
 * successful destroy sets it to {@link noCommitTag}. The tag is the record of what runs; the update message
 * (`gitops deploy of <sha12>`) is the audit trail and the fallback for stacks deployed before
 * tags were written.
 */
export const deployedCommitTag = 'gitops:commit';

/**
 * The tag's value after a successful destroy: names no commit, so the history (whose newest
 * gitops update is then the destroy) says nothing is deployed.
 */
export const noCommitTag = 'none';

/** The update message prefix of `gitops deploy` (see `updateMessage`): what the stack's history records as deployed. */
const deployMessage = /^gitops deploy of ([0-9a-f]{7,40})\b/;

/** One entry of a stack's update history, as the Automation API lists it. */
export interface HistoryEntry {
  kind: string;
  result?: string;
  message?: string;
}

/**
 * The commit of the newest successful `gitops deploy` update in a stack's history (newest first),
 * or undefined. Drift remediations, refreshes and failed updates are passed over: they deploy no
 * new commit. A successful destroy newer than any such update means nothing is deployed. Pure.
 */
export function lastDeployedCommitOf(history: readonly HistoryEntry[]): string | undefined {
  for (const u of history) {
    if (u.result !== 'succeeded') continue;
    if (u.kind === 'destroy') return undefined;
    if (u.kind !== 'update') continue;
    const m = deployMessage.exec(u.message ?? '');
    if (m) return m[1];
  }
  return undefined;
}

/** A full or abbreviated commit sha, as the tag may hold one: anything else in the tag is ignored. */
export function commitOfTag(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v && /^[0-9a-f]{7,64}$/.test(v) ? v : undefined;
}
