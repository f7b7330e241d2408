import { userError } from '../errors/gitops-error.js';

/** One of N parallel CI jobs (`--shard I/N`). */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Parses `--shard I/N` (1 ≤ I ≤ N). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw userError('USAGE', `--shard ${text}: expected I/N with 1 <= I <= N, e.g. --shard 2/4`);
  }
  return { index, count };
}
