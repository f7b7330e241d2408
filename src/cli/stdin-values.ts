/** Options whose value may be `-` (read from stdin). */
const stdinOptions = new Set(['--files']);

/**
 * Joins `--files -` into `--files=-`. The argument parser takes a lone `-` after an option for
 * a positional argument (and strict mode then refuses it), while the README and `--help`
 * write it with a space, as most tools take it. Pure.
 */
export function joinStdinValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (stdinOptions.has(arg) && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else out.push(arg);
  }
  return out;
}
