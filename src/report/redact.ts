/** Matches ANSI escape sequences (colours, cursor moves). */
const ansi = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(text: string): string {
  return text.replace(ansi, '');
}

const minLength = 4;

/**
 * Removes known secret values from anything printed: console, JSON, Markdown, comments.
 * Each secret is also matched in the forms it tends to leak in: base64 (standard and URL-safe),
 * JSON-escaped, and line by line when it spans several lines.
 */
export class Redactor {
  private readonly needles = new Set<string>();
  private pattern: RegExp | undefined;

  /** Registers a secret's plaintext. Short values (under 4 characters) would redact noise, so they are ignored. */
  add(secret: string): void {
    const forms = [secret, JSON.stringify(secret).slice(1, -1)];
    const b64 = Buffer.from(secret, 'utf8').toString('base64');
    forms.push(b64, b64.replace(/=+$/, ''), Buffer.from(secret, 'utf8').toString('base64url'));
    if (secret.includes('\n')) forms.push(...secret.split(/\r?\n/).map((l) => l.trim()));
    for (const f of forms) if (f.length >= minLength) this.needles.add(f);
    this.pattern = undefined;
  }

  get size(): number {
    return this.needles.size;
  }

  redact(text: string): string {
    const clean = stripAnsi(text);
    if (this.needles.size === 0) return clean;
    this.pattern ??= new RegExp([...this.needles].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
    return clean.replace(this.pattern, '[secret]');
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
