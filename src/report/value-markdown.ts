import { codeBlock, valueCode } from './markdown.js';
import { needsDiff, valueDiffLines } from './value-diff.js';

/** How much of a value fits a table cell; longer, multi-line and structured values are shown as diffs. */
export interface ValueLimits {
  /** Characters of a value in a table cell. */
  cell: number;
}

export const defaultValueLimits: ValueLimits = { cell: 100 };

/** Removes known secrets from a text. */
export type Redact = (text: string) => string;

/** True when a change reads better as a diff block than in two table cells. */
export function wantsDiff(before: string | undefined, after: string | undefined, limits: ValueLimits): boolean {
  return needsDiff(before, limits.cell) || needsDiff(after, limits.cell);
}

/**
 * One short value for a table cell, redacted, as inline code. Secrets arrive as `[secret]` and
 * stay so; an absent value is a dash. Values longer than the cell limit belong in a diff
 * ({@link wantsDiff}); they are never cut.
 */
export function valueCell(value: string | undefined, redact: Redact): string {
  if (value === undefined) return '—';
  if (value === '') return '*(empty)*';
  if (value === '[secret]') return '`[secret]`';
  return valueCode(redact(value));
}

/**
 * A change as a ```diff block under a line naming it: hunks with context for each separate edit,
 * in full. A report too long for its platform collapses its biggest blocks first (see `fitToLimit`).
 */
export function valueDiff(title: string, before: string | undefined, after: string | undefined, redact: Redact): string {
  const lines = valueDiffLines(before === undefined ? undefined : redact(before), after === undefined ? undefined : redact(after));
  return `${title}\n\n${codeBlock(lines.join('\n'), 'diff')}`;
}
