import type { Redactor } from '../report/redact.js';

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
}

/** Wraps both streams so that everything written is redacted (and free of ANSI codes). */
export function redactingIo(io: CliIo, redactor: Redactor): CliIo {
  return { stdout: (t) => io.stdout(redactor.redact(t)), stderr: (t) => io.stderr(redactor.redact(t)) };
}

/** Prints one JSON document on stdout; returns exit code 0. */
export function printJson(io: CliIo, value: unknown): 0 {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  return 0;
}
