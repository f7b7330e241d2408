/**
 * The forms a secret takes when a program or a tool prints it, as regular-expression sources.
 * Pure: the {@link Redactor} compiles them.
 */

/** A regular-expression source and the length of the shortest text it matches (longer forms are tried first). */
export interface SecretForm {
  source: string;
  length: number;
}

/** Characters JSON encoders may write as a two-character escape (`\n`, `\"`, and PHP's `\/`). */
const shortEscapes: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  '\n': 'n',
  '\r': 'r',
  '\t': 't',
  '\b': 'b',
  '\f': 'f',
};

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Hex digits matching either case: `3c` -> `3[cC]`. */
function hexAnyCase(hex: string): string {
  return hex.replace(/[a-f]/gi, (d) => `[${d.toLowerCase()}${d.toUpperCase()}]`);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * One character in every textual encoding: itself; JSON's `\uXXXX` (as Go writes `<`, `>`, `&`
 * and Python writes all non-ASCII) and short escapes, at any depth of nested escaping (JSON in a
 * JSON string doubles the backslashes); URL-encoding of each UTF-8 byte in either case; `+` for
 * a space (form encoding). Mixed encodings match too: a match is never less secret.
 */
function charForms(ch: string): string {
  // No JSON or URL encoder escapes these, and a literal run keeps the pattern small and fast.
  if (/^[A-Za-z0-9_.-]$/.test(ch)) return escapeRegExp(ch);
  const forms = [escapeRegExp(ch)];
  const units = Array.from({ length: ch.length }, (_, i) => ch.charCodeAt(i));
  forms.push(units.map((u) => `\\\\+u${hexAnyCase(hex(u, 4))}`).join(''));
  const short = shortEscapes[ch];
  if (short !== undefined) forms.push(`\\\\+${escapeRegExp(short)}`);
  forms.push([...Buffer.from(ch, 'utf8')].map((b) => `%${hexAnyCase(hex(b, 2))}`).join(''));
  if (ch === ' ') forms.push('\\+');
  return `(?:${forms.join('|')})`;
}

/** A line break as LF or CRLF, whichever the secret used, in any textual encoding. */
const lineBreak = `${charForms('\r')}?${charForms('\n')}`;

/** Plain, JSON-escaped and URL-encoded: one pattern, character by character. */
export function textualForm(secret: string): SecretForm {
  let source = '';
  for (const part of secret.split(/(\r?\n)/)) {
    if (part === '\n' || part === '\r\n') source += lineBreak;
    else for (const ch of part) source += charForms(ch);
  }
  return { source, length: secret.length };
}

/** Hex of the UTF-8 bytes, in lower, upper or mixed case. */
export function hexForm(secret: string): SecretForm {
  const digits = Buffer.from(secret, 'utf8').toString('hex');
  return { source: hexAnyCase(digits), length: digits.length };
}

/**
 * Base64 and base64url, wherever the secret sits in the encoded data (as in Basic auth's
 * `base64(user:secret)`). Base64 encodes 3 bytes as 4 characters, so the secret's encoding
 * depends on its offset modulo 3. For each of the three offsets, encode the secret behind that
 * many filler bytes and keep only the characters that depend on the secret's bits alone: the
 * first ceil(8k/6) characters carry filler bits and the last partial one carries bits of
 * whatever follows. At offset 0 the whole encoding (padded and unpadded) is a form too, so a
 * secret encoded on its own is replaced entirely.
 */
export function base64Forms(secret: string): SecretForm[] {
  const bytes = Buffer.from(secret, 'utf8');
  const literals = new Set<string>();
  for (const alphabet of ['base64', 'base64url'] as const) {
    literals.add(bytes.toString(alphabet));
    for (let k = 0; k < 3; k++) {
      const encoded = Buffer.concat([Buffer.alloc(k), bytes])
        .toString(alphabet)
        .replace(/=+$/, '');
      literals.add(encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + bytes.length)) / 6)));
    }
  }
  return [...literals].filter((l) => l.length >= 4).map((l) => ({ source: escapeRegExp(l), length: l.length }));
}

/** Every form of one single secret value (not split into lines). */
export function secretForms(secret: string): SecretForm[] {
  return [textualForm(secret), hexForm(secret), ...base64Forms(secret)];
}
