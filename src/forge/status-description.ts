/** GitHub refuses a commit status description over 140 characters; GitLab shows one line. */
export const STATUS_DESCRIPTION_MAX = 140;

/** `text` on one line, cut to {@link STATUS_DESCRIPTION_MAX} characters with an ellipsis. Pure. */
export function statusDescription(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= STATUS_DESCRIPTION_MAX ? line : `${line.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`;
}
