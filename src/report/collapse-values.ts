/** Fitting a report to its platform's size limit by collapsing its biggest value blocks first. */

/** A fenced value block (a diff, or the inputs of a new resource), as `codeBlock` writes one. */
const valueBlock = /^(`{3,})(diff|json)\n([\s\S]*?)\n\1$/gm;

interface Found {
  part: number;
  start: number;
  end: number;
  lines: number;
}

function note(lines: number, limit: number): string {
  return (
    `*(${lines.toLocaleString('en-US')}-line value collapsed to fit the ${limit.toLocaleString('en-US')}-character limit: ` +
    'the job log and the `--json` report have it in full)*'
  );
}

/**
 * `parts` with their biggest value blocks replaced by a note saying where the full text is, one
 * at a time, biggest first, until `parts` joined with `separator` fit `limit` or no block is left.
 * Smaller values stay whole: they are the ones a reader can take in.
 */
export function collapseBiggestValues(parts: readonly string[], limit: number, separator: string): string[] {
  let total = parts.reduce((n, p) => n + p.length, 0) + separator.length * Math.max(0, parts.length - 1);
  if (total <= limit) return [...parts];
  const found: Found[] = parts.flatMap((p, part) =>
    [...p.matchAll(valueBlock)].map((m) => ({ part, start: m.index, end: m.index + m[0].length, lines: m[3]!.split('\n').length })),
  );
  found.sort((a, b) => b.end - b.start - (a.end - a.start));
  const chosen: Found[] = [];
  for (const f of found) {
    if (total <= limit) break;
    const saved = f.end - f.start - note(f.lines, limit).length;
    if (saved <= 0) break;
    chosen.push(f);
    total -= saved;
  }
  // Replace from the end of each part, so earlier offsets stay valid.
  chosen.sort((a, b) => a.part - b.part || b.start - a.start);
  const out = [...parts];
  for (const f of chosen) out[f.part] = `${out[f.part]!.slice(0, f.start)}${note(f.lines, limit)}${out[f.part]!.slice(f.end)}`;
  return out;
}
