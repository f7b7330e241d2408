import { type SecretForm, secretForms } from './secret-forms.js';

/** Matches ANSI escape sequences (colours, cursor moves). */
const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}

/** What a redacted secret is replaced with. */
export const REDACTED = '[secret]';

/**
 * Values shorter than this are not redacted: replacing every `abc` or `42` in the output would
 * hide nothing worth hiding and garble everything else. A real secret is longer.
 */
export const MIN_SECRET_LENGTH = 4;

/** Characters of regular-expression source per compiled pattern; see {@link Redactor.compile}. */
const patternBudget = 16_000;

/** JSON literals carry no secret, and replacing them would break `--json` output. */
const notSecret = new Set(['true', 'false', 'null']);

/**
 * Removes known secret values from anything printed: console, JSON, Markdown, comments, issues,
 * history and error messages. Each secret is matched in the forms it leaks in:
 * - plain;
 * - JSON-escaped, with JSON's and Go's escapes (`\u0026`, `\u003c`, `\u003e`), also nested;
 * - URL-encoded, with `%20` or `+` for a space, hex digits in either case;
 * - base64 and base64url, also inside a longer encoding such as Basic auth's `user:secret`;
 * - hex, in either case;
 * - each line of a multi-line value on its own, with LF or CRLF line ends.
 *
 * Values shorter than {@link MIN_SECRET_LENGTH} characters (and lines that short) are not
 * redacted, nor are `true`, `false` and `null`. Not covered: base64 wrapped across lines, and
 * encodings of an already encoded secret (base64 of a URL-encoded password).
 */
export class Redactor {
  private readonly forms = new Map<string, number>();
  private readonly secrets = new Set<string>();
  private patterns: RegExp[] | undefined;

  /** Registers a secret's plaintext. */
  add(secret: string): void {
    if (this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const values = [secret];
    if (/[\r\n]/.test(secret)) values.push(...secret.split(/\r\n|\r|\n/).map((line) => line.trim()));
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH || notSecret.has(value)) continue;
      for (const form of secretForms(value)) this.addForm(form);
    }
  }

  /** Registers several secrets. */
  addAll(secrets: Iterable<string>): void {
    for (const s of secrets) this.add(s);
  }

  /** How many secret values were registered. */
  get size(): number {
    return this.secrets.size;
  }

  /** `text` without ANSI codes, with every form of every known secret replaced by `[secret]`. */
  redact(text: string): string {
    const clean = stripAnsi(text);
    if (this.forms.size === 0) return clean;
    this.patterns ??= this.compile();
    // Already redacted text passes through unchanged, even when a secret is a part of `[secret]`.
    return this.patterns.reduce(
      (done, pattern) =>
        done
          .split(REDACTED)
          .map((part) => part.replace(pattern, REDACTED))
          .join(REDACTED),
      clean,
    );
  }

  private addForm(form: SecretForm): void {
    this.forms.set(form.source, Math.max(form.length, this.forms.get(form.source) ?? 0));
    this.patterns = undefined;
  }

  /**
   * Alternations of the forms, longest first: where two match at the same place, the longer one
   * wins. V8 stops optimising a pattern of more than 20 KB (measured on 1 MB of output with 120
   * secrets: 240 ms instead of 3 ms), so the forms are split into smaller patterns, applied in turn.
   */
  private compile(): RegExp[] {
    const chunks: string[][] = [];
    let size = Infinity;
    for (const [source] of [...this.forms].sort((a, b) => b[1] - a[1])) {
      if (size + source.length > patternBudget) {
        chunks.push([]);
        size = 0;
      }
      chunks.at(-1)!.push(source);
      size += source.length + 1;
    }
    return chunks.map((sources) => new RegExp(sources.join('|'), 'g'));
  }
}
