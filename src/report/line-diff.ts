import { cutLines, cutText } from './cut-text.js';

/** Lines shown before and after each changed block, as `diff -u` does. */
const context = 1;

/**
 * A unified-diff style view of two texts, for a ```diff block: unchanged lines start with a
 * space, removed ones with `-`, added ones with `+`. Configuration edits are usually one
 * block, so the lines the texts share at the start and the end are kept out but for a line
 * of context; what is between them shows as removed, then added. Long lines and long blocks
 * are cut with a note.
 */
export function lineDiff(before: string, after: string, options: { maxLines: number; maxLineLength: number }): string[] {
  // A final line break is not a line of its own: "a\n" is one line, as in a file.
  const lines = (text: string) => text.replace(/\r\n/g, '\n').replace(/\n$/, '').split('\n');
  const [a, b] = [lines(before), lines(after)];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const from = Math.max(0, start - context);
  const out = [
    ...(from > 0 ? [`@@ ${from} unchanged line${from === 1 ? '' : 's'} @@`] : []),
    ...a.slice(from, start).map((l) => ` ${l}`),
    ...a.slice(start, a.length - end).map((l) => `-${l}`),
    ...b.slice(start, b.length - end).map((l) => `+${l}`),
    ...a.slice(a.length - end, Math.min(a.length, a.length - end + context)).map((l) => ` ${l}`),
  ];
  const rest = Math.max(0, end - context);
  if (rest > 0) out.push(`@@ ${rest} unchanged line${rest === 1 ? '' : 's'} @@`);
  return cutLines(
    out.map((l) => cutText(l, options.maxLineLength)),
    options.maxLines,
  );
}
