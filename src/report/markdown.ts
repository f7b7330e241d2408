/** Small pure helpers for Markdown reports (MR comments, drift issues, job summaries). */
import { collapseBiggestValues } from './collapse-values.js';

/** Escapes text for a table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join(
    '\n',
  );
}

/** A collapsible block; `open` shows it unfolded. GitHub and GitLab both render it. */
export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/**
 * Plain text for a Markdown line, inert: HTML is escaped (`<details>` in a file name cannot fold
 * the rest of a comment away), and Markdown punctuation is backslash-escaped. For text that
 * carries names from the repository (file paths, reasons, refusals).
 */
export function plainText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#~|!])/g, '\\$1')
    .replace(/\r?\n/g, ' ');
}

/** "[pipeline](url) · [CI job](url)": links to what produced a report; '' when the CI told nothing. */
export function ciLinks(pipelineUrl: string | undefined, jobUrl: string | undefined): string {
  return [pipelineUrl ? `[pipeline](${pipelineUrl})` : '', jobUrl && jobUrl !== pipelineUrl ? `[CI job](${jobUrl})` : '']
    .filter(Boolean)
    .join(' · ');
}

/** A name as inline code (backticks become quotes: names never need them). */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** The longest run of backticks in a text. */
function longestBackticks(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * A value as inline code, exactly as it is: a value holding backticks gets a longer fence, as
 * CommonMark allows. Markdown and HTML in it stay inert.
 */
export function valueCode(text: string): string {
  const fence = '`'.repeat(longestBackticks(text) + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block whose fence no line of `text` can close. */
export function codeBlock(text: string, language = ''): string {
  const fence = '`'.repeat(Math.max(3, longestBackticks(text) + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/**
 * Joins a report's parts within `limit` characters. Nothing is cut while everything fits. Past
 * the limit, the biggest value blocks are collapsed first, each to a note saying where the full
 * text is; then the head and tail stay, sections (one per stack) are kept in order while they
 * fit, and a note says how many were left out.
 */
export function fitToLimit(rawHead: string, rawSections: readonly string[], rawTail: string, limit: number): string {
  const join = (parts: readonly string[]) => parts.filter((p) => p !== '').join('\n\n');
  const full = join([rawHead, ...rawSections, rawTail]);
  if (full.length <= limit) return full;
  const parts = collapseBiggestValues([rawHead, ...rawSections, rawTail], limit, '\n\n');
  const collapsed = join(parts);
  if (collapsed.length <= limit) return collapsed;
  const [head, tail, sections] = [parts[0]!, parts.at(-1)!, parts.slice(1, -1)];
  const kept: string[] = [];
  for (const s of sections) {
    const note = cutNote(sections.length - kept.length - 1, limit);
    if (join([head, ...kept, s, note, tail]).length > limit) break;
    kept.push(s);
  }
  const result = join([head, ...kept, cutNote(sections.length - kept.length, limit), tail]);
  // Even the head and tail are too long: hard cut, still with the note.
  return result.length <= limit
    ? result
    : `${result.slice(0, Math.max(0, limit - 120))}\n\n${cutNote(sections.length - kept.length, limit)}`;
}

function cutNote(omitted: number, limit: number): string {
  return `> **Report cut to fit the platform's ${limit.toLocaleString('en-US')}-character limit:** ${omitted} section${omitted === 1 ? '' : 's'} left out. The job log has the full report.`;
}
