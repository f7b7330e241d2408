import type { Engine, RunRequest } from '../engine/engine.js';
import type { ProgressSink } from '../engine/progress.js';
import type { StackResult } from '../engine/result.js';

/** An engine whose `run` is replaced; every other method goes to the engine it wraps. */
export function withRun(engine: Engine, run: (request: RunRequest, sink: ProgressSink) => Promise<StackResult>): Engine {
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'run') return run;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
