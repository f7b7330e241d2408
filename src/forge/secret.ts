import { inspect } from 'node:util';

const hidden = '[secret]';

/**
 * An API token that does not leak by accident: printing, logging, `JSON.stringify` or
 * `util.inspect` show `[secret]`. Only {@link SecretToken.reveal} gives the value, and only
 * the API clients call it.
 */
export class SecretToken {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return hidden;
  }

  toJSON(): string {
    return hidden;
  }

  [inspect.custom](): string {
    return `SecretToken(${hidden})`;
  }
}

/** `text` with every occurrence of the token replaced, for messages built from server replies. */
export function redact(text: string, token: SecretToken): string {
  const value = token.reveal();
  return value.length === 0 ? text : text.split(value).join(hidden);
}
