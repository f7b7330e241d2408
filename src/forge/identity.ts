import type { ForgeUser } from './forge.js';

/**
 * Who is who on a forge: our own user, bots, and the same person under two spellings. Marked
 * comments and issues count as ours only when our own user wrote them, and approvals never
 * count from our user, a bot, or the MR's author.
 */

/**
 * The login GitHub shows for what the Actions GITHUB_TOKEN writes. That token is a GitHub App
 * installation token, for which `GET /user` answers 403 ("Resource not accessible by
 * integration"), so this is who we are when `GET /user` refuses.
 */
export const GITHUB_ACTIONS_BOT = 'github-actions[bot]';

// GitHub Apps act as `<slug>[bot]`; GitLab project and group access tokens act as
// `project_<id>_bot_<suffix>` / `group_<id>_bot_<suffix>` users.
const botLogin = /\[bot\]$|^(project|group)_\d+_bot(_[0-9a-f]+)?$/i;

/** True for a bot account: flagged by the forge (GitHub `type: Bot`, GitLab `bot: true`) or named like one. */
export function isBot(username: string, flagged?: boolean | null): boolean {
  return flagged === true || botLogin.test(username);
}

/** Same user: by ID where both sides have one (GitLab), else by login, which GitHub compares case-insensitively. */
export function sameUser(a: ForgeUser | undefined, b: ForgeUser | undefined): boolean {
  if (!a || !b) return false;
  if (a.id !== undefined && b.id !== undefined) return a.id === b.id;
  return a.username.toLowerCase() === b.username.toLowerCase();
}

/** `load` run at most once; a failure is not remembered, so the next call tries again. */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}
