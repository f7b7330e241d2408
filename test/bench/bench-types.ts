/** One benchmark's printed result. Figures are measured side by side in one run. */
export interface BenchResult {
  name: string;
  /** Human lines, printed as they are. */
  lines: string[];
  /** Figures for the JSON summary (ms, MiB, ratios). */
  figures: Record<string, number>;
}

export interface Bench {
  name: string;
  run(log: (line: string) => void): Promise<BenchResult>;
}
