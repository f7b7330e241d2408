/** Options whose value may be `-` (read from stdin). */
const stdinOptions = new Set(['--files']);

/** What a lone `-` positional of `config set` becomes: argv can never hold a NUL, so no real value is taken for it. */
export const stdinValue = '\u0000stdin';

/**
 * Joins `--files -` into `--files=-`, and turns the `-` VALUE of `config set` into
 * {@link stdinValue} (the parser reads a lone `-` positional as `true`). The argument parser takes a lone `-` after an option for
 * a positional argument (and strict mode then refuses it), while docs/cli.md and `--help`
 * write it with a space, as most tools take it. Pure.
 */
export function joinStdinValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (arg === '-' && argv[0] === 'config' && argv[1] === 'set') {
      out.push(stdinValue);
      continue;
    }
    if (stdinOptions.has(arg) && argv[i + 1] === '-') {
      out.push(`${arg}=-`);
      i++;
    } else out.push(arg);
  }
  return out;
}
