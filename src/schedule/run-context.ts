import type { Engine } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { StackCatalog } from '../stacks/load.js';

/**
 * What every run over many stacks needs: the engine, the catalogue the stacks come from,
 * where progress goes, how many run at once, and the signal that cancels them. Preview,
 * deploy, the merge request loop and drift all take this one type.
 */
export interface RunContext {
  engine: Engine;
  catalog: StackCatalog;
  sink: ProgressSink;
  concurrency: number;
  signal?: AbortSignal;
  /** The update message recorded in each stack's history. */
  message?: string;
  /** The full commit an `up` deploys, recorded as each stack's `gitops:commit` tag when it succeeds. */
  commit?: string;
}
