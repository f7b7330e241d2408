import type { DriftEpisode } from '../api/drift-report.js';

function episodeLine(e: DriftEpisode): string {
  const fixed = e.fixed ? `fixed ${e.fixed} (${e.fixedBy === 'remediation' ? 'remediated' : 'cleared'})` : 'STILL DRIFTED';
  const at = e.appearedAt ? ` at ${e.appearedAt.slice(0, 12)}` : '';
  return `${e.stack}: drift appeared ${e.appeared}${at}, ${fixed}; ${e.runs} run${e.runs === 1 ? '' : 's'}; resources: ${e.resources.join(', ') || '—'}\n`;
}

/** `gitops drift history` as text: how many runs, then one line per drift episode. Pure. */
export function driftHistoryText(history: { source: string; runs: number; episodes: readonly DriftEpisode[] }): string {
  const { runs, episodes } = history;
  const lines = [`${runs} drift run${runs === 1 ? '' : 's'} in ${history.source}\n`, ...episodes.map(episodeLine)];
  if (episodes.length === 0) lines.push('no drift recorded\n');
  return lines.join('');
}
