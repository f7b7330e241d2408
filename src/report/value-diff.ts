import { structuredPatch } from 'diff';

/** Unchanged lines shown around each change, as `diff -u` does. */
export const DIFF_CONTEXT = 3;

/** Texts split into lines the way a file is: a final line break is not a line of its own. */
function asFileText(text: string): string {
  const unix = text.replace(/\r\n/g, '\n');
  return unix === '' || unix.endsWith('\n') ? unix : `${unix}\n`;
}

/**
 * The unified diff of two values, as lines: `@@ -a,b +c,d @@` hunk headers, then unchanged lines
 * starting with a space, removed ones with `-`, added ones with `+`. Any number of separate edits
 * each get their own hunk with {@link DIFF_CONTEXT} lines of context. Structured values arrive as
 * stable pretty JSON (see `renderValue`), so they diff line by line. An absent value is empty: a new value
 * shows as all added lines. Nothing is cut; the caller redacts first.
 */
export function valueDiffLines(before: string | undefined, after: string | undefined, context = DIFF_CONTEXT): string[] {
  const [a, b] = [asFileText(before ?? ''), asFileText(after ?? '')];
  if (a === b) return [];
  const patch = structuredPatch('git', 'live', a, b, '', '', { context });
  return patch.hunks.flatMap((h) => [
    `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
    // jsdiff marks a missing final line break; values have none to speak of.
    ...h.lines.filter((l) => !l.startsWith('\\')),
  ]);
}

/** True when a value reads better as a diff of lines than in a table cell: several lines (structured values are), or long. */
export function needsDiff(value: string | undefined, cellLimit: number): boolean {
  return value !== undefined && (value.includes('\n') || value.length > cellLimit);
}

/** A change between two values under `--- from` / `+++ to` lines, then its hunks. Values arrive redacted. */
export function labelledDiff(before: string | undefined, after: string | undefined, from: string, to: string): string[] {
  const absent = (v: string | undefined, label: string) => (v === undefined ? `${label} (absent)` : label);
  return [`--- ${absent(before, from)}`, `+++ ${absent(after, to)}`, ...valueDiffLines(before, after)];
}

/** A drifted value: Git's (the state's) against the live one. */
export function gitVersusLive(git: string | undefined, live: string | undefined): string[] {
  return labelledDiff(git, live, 'Git', 'live');
}
