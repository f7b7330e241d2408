/** Where the CLI writes. Only bin/ binds these to process streams; tests capture them. */
export interface CliIo {
  /** Machine output: exactly one JSON document under --json. */
  stdout(text: string): void;
  /** Human output: progress and summaries. */
  stderr(text: string): void;
}

/** What the CLI reads from its environment, read once at the edge. */
export interface CliEnv {
  cwd: string;
  env: NodeJS.ProcessEnv;
  io: CliIo;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}
