import type { StatusResult } from '../api/status.js';

/** A commit as JSON: its short form for people, the full sha for tools. */
function commitJson(sha: string | undefined): { short: string; full: string } | null {
  return sha === undefined ? null : { short: sha.slice(0, 12), full: sha };
}

/** `gitops status --json`. Pure. */
export function statusJson(result: StatusResult): unknown {
  return {
    head: commitJson(result.head),
    stacks: result.stacks.map((s) => ({
      name: s.name,
      project: s.project,
      stack: s.stack,
      state: s.state,
      deployedCommit: commitJson(s.deployed),
      headCommit: commitJson(s.headCommit),
      reasons: s.reasons,
    })),
  };
}

/** `gitops status` as text: one line per stack (state, deployed commit, head commit), its reasons indented. Pure. */
export function statusText(result: StatusResult): string {
  const rows = result.stacks.map((s) => [s.name, s.state, s.deployed?.slice(0, 12) ?? '-', s.headCommit?.slice(0, 12) ?? '-']);
  const header = ['STACK', 'STATE', 'DEPLOYED', 'HEAD COMMIT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i]!) : c)).join('  ')}\n`;
  const body = result.stacks.map((s, i) => line(rows[i]!) + s.reasons.map((r) => `    ${r}\n`).join(''));
  return `${line(header)}${body.join('')}`;
}
