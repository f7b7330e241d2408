import { cutText } from './cut-text.js';
import { lineDiff } from './line-diff.js';
import { codeBlock, valueCode } from './markdown.js';

/** How much of a value a comment shows. */
export interface ValueLimits {
  /** Characters of a value in a table cell. */
  cell: number;
  /** Lines of a multi-line value's diff. */
  diffLines: number;
  /** Characters of one line in a diff. */
  lineLength: number;
}

export const defaultValueLimits: ValueLimits = { cell: 100, diffLines: 40, lineLength: 160 };

/** Removes known secrets from a text. */
export type Redact = (text: string) => string;

/** True when a value reads better as a diff of lines than in a table cell. */
export function isMultiLine(value: string | undefined): boolean {
  return value?.includes('\n') === true;
}

/**
 * One value for a table cell: redacted first, then cut with a note, as inline code. Secrets
 * arrive as `[secret]` and stay so; an absent value is a dash.
 */
export function valueCell(value: string | undefined, redact: Redact, limits: ValueLimits): string {
  if (value === undefined) return '—';
  if (value === '') return '*(empty)*';
  if (value === '[secret]') return '`[secret]`';
  return valueCode(cutText(redact(value), limits.cell));
}

/** A multi-line value's change as a ```diff block, under a line naming it. */
export function valueDiff(
  title: string,
  before: string | undefined,
  after: string | undefined,
  redact: Redact,
  limits: ValueLimits,
): string {
  const lines = lineDiff(redact(before ?? ''), redact(after ?? ''), { maxLines: limits.diffLines, maxLineLength: limits.lineLength });
  return `${title}\n\n${codeBlock(lines.join('\n'), 'diff')}`;
}
