/*
 * Redact first, once. Every output path (console, JSON, MR and deploy comments, drift issues,
 * Slack, webhooks, errors) passes its raw data through here before it escapes, truncates or
 * formats anything: an escaped secret (`&amp;`, `\u0026`), a cut one (`hunter2…`) or one with its
 * whitespace collapsed no longer matches the redactor, so redacting after formatting leaks it.
 */

/** Removes known secrets from one string. */
export type Redact = (text: string) => string;

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

/**
 * `value` with every string in it redacted: plain objects and arrays are copied, an Error becomes
 * a plain object with its name, message and own fields redacted, anything else (a Date, a number)
 * is kept. Pure when `redact` is.
 */
export function redactDeep<T>(value: T, redact: Redact): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T;
  if (value instanceof Error) return redactDeep({ ...value, name: value.name, message: value.message } as unknown as T, redact);
  if (value !== null && typeof value === 'object' && isPlain(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)])) as T;
  return value;
}
