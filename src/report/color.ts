/** `--color`: auto decides from the environment and the terminal. */
export type ColorFlag = 'auto' | 'always' | 'never';

/**
 * Whether to colour a stream. Pure. An explicit `always`/`never` wins; under `auto`, a non-empty
 * NO_COLOR (no-color.org) turns colour off, FORCE_COLOR turns it on (except `0`/`false`, Node's
 * convention), a dumb terminal gets none, and otherwise colour goes only to a terminal.
 */
export function colorEnabled(flag: ColorFlag, env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (flag === 'always') return true;
  if (flag === 'never') return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

type Hue = 'green' | 'red' | 'yellow';
// Reset to the default foreground only (39), so a colour never swallows the terminal's other styles.
const sgr: Record<Hue, string> = { green: '\u001b[32m', red: '\u001b[31m', yellow: '\u001b[33m' };
const off = '\u001b[39m';

/** A line prefix: `[stack] ` (progress) or `  stack: ` (summaries). */
const stackPrefix = String.raw`(?:\[[^\]\n]+\] |  [^\s:\[][^:\n]*: )`;

/**
 * The status words worth a colour, in the lines console-progress.ts, outcome.ts, drift-report.ts
 * and main.ts print. Each rule: the text before the word, the word, its colour. The first rule
 * that matches a line wins, so a line gets one colour at most.
 */
const rules: readonly [RegExp, Hue][] = [
  [new RegExp(String.raw`^(${stackPrefix})(\w+ done)(?=[: ])`), 'green'],
  [new RegExp(String.raw`^(${stackPrefix})(FAILED)\b`), 'red'],
  [new RegExp(String.raw`^(${stackPrefix})(skipped|cancelled)\b`), 'yellow'],
  [new RegExp(String.raw`^(${stackPrefix})(no drift|drift REMEDIATED)\b`), 'green'],
  [new RegExp(String.raw`^(${stackPrefix})(DRIFT, left in place|DRIFT, remediation BLOCKED)\b`), 'yellow'],
  [/^(\[[^\]\n]+\] {3})(! )/, 'red'],
  [/^(\[[^\]\n]+\] {3})(error)(?=:)/, 'red'],
  [/^(\[[^\]\n]+\] {3})(warning)(?=:)/, 'yellow'],
  [/^( {4})(blocked)(?=:)/, 'yellow'],
  [/^( {4})(error)(?=:)/, 'red'],
  [/^()(error)(?=: )/, 'red'],
];

function paintLine(line: string): string {
  for (const [re, hue] of rules) {
    const m = re.exec(line);
    if (m) return `${m[1]}${sgr[hue]}${m[2]}${off}${line.slice(m[0].length)}`;
  }
  return line;
}

/**
 * Colours the status words of already-redacted console text (green ok, red failed, yellow
 * skipped/blocked). Pure. It only inserts colour codes around words it recognises: it runs after
 * redaction (which strips escape codes), so it can never reveal or split a secret.
 */
export function paintStatus(text: string): string {
  return text.split('\n').map(paintLine).join('\n');
}
