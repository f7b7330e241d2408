import type { Redactor } from '../secrets/redact.js';

/** Where the CLI writes. Only bin/ binds these to process streams; tests capture them. */
export interface CliIo {
  /** Machine output: exactly one JSON document under --json. */
  stdout(text: string): void;
  /** Human output: progress and summaries. */
  stderr(text: string): void;
}

/** What the CLI reads from its environment, read once at the edge. */
export interface CliEnv {
  /** Every byte the CLI prints passes through it: known secrets never reach a log. */
  redactor?: Redactor;
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The package version `--version` prints (bin/ reads it from package.json). */
  version?: string;
  /** Whether stderr is a terminal (`--color auto` colours only a terminal). */
  stderrIsTTY?: boolean;
  /** stdout without redaction: only {@link printRevealing} writes to it (main.ts sets it). */
  unredactedStdout?: (text: string) => void;
}

/**
 * Wraps both streams so that everything written is redacted (and free of ANSI codes). Colour, if
 * any, is added to stderr after redaction; stdout (JSON, Markdown, lists) is never coloured.
 */
export function redactingIo(io: CliIo, redactor: Redactor, paintStderr: (text: string) => string = (t) => t): CliIo {
  return { stdout: (t) => io.stdout(redactor.redact(t)), stderr: (t) => io.stderr(paintStderr(redactor.redact(t))) };
}

/** Prints one JSON document on stdout; returns exit code 0. */
export function printJson(io: CliIo, value: unknown): 0 {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}

/**
 * The one deliberate way to print secrets (`outputs --show-secrets`): `text` carries a token where
 * each asked-for secret goes; it is redacted like any output, and only then are the tokens replaced
 * by their values. Anything else in it that matches a known secret stays redacted.
 */
export function printRevealing(cli: CliEnv, text: string, reveal: ReadonlyMap<string, string>): void {
  let out = cli.redactor ? cli.redactor.redact(text) : text;
  for (const [token, value] of reveal) out = out.split(token).join(value);
  (cli.unredactedStdout ?? cli.io.stdout)(out);
}
