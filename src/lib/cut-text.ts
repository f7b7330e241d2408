/** Cutting long values for reports, with a note that says how much was left out. */

const note = /… ([\d,]+) more characters?$/;

function characters(n: number): string {
  return `${n.toLocaleString('en-US')} more character${n === 1 ? '' : 's'}`;
}

/**
 * `text` cut to `max` characters, followed by "… 1,234 more characters". A text that was cut
 * before keeps counting what its first cut left out, so the note always tells the full length.
 * Cut only text that is already redacted: a cut through a secret leaves a part the redactor
 * no longer recognises.
 */
export function cutText(text: string, max: number): string {
  const earlier = note.exec(text);
  const body = earlier ? text.slice(0, earlier.index) : text;
  const dropped = earlier ? Number(earlier[1]!.replace(/,/g, '')) : 0;
  if (body.length <= max) return text;
  // Never split a surrogate pair: half an emoji is not a character anyone can read.
  const end = /[\uD800-\uDBFF]/.test(body.charAt(max - 1)) ? max - 1 : max;
  return `${body.slice(0, end)}… ${characters(body.length - end + dropped)}`;
}

/** Lines of `text` cut to `max`, with a last line saying how many more there were. */
export function cutLines(lines: readonly string[], max: number): string[] {
  if (lines.length <= max) return [...lines];
  const more = lines.length - max;
  return [...lines.slice(0, max), `… ${more.toLocaleString('en-US')} more line${more === 1 ? '' : 's'}`];
}
