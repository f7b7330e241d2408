import type { Engine, RunRequest } from './engine.js';

/** `--target URN...` and `--refresh` of `preview`/`deploy --stack S`. */
export interface RunScope {
  targets?: readonly string[];
  refresh?: boolean;
}

/** Operations the scope applies to: the Automation API takes `target` and `refresh` on both. */
const scopedOps = new Set<RunRequest['operation']>(['preview', 'up']);

/** What a targeted update records in its message, so the stack history shows it was partial. Pure. */
export function scopeNote(scope: RunScope): string | undefined {
  const targets = scope.targets ?? [];
  return targets.length > 0 ? `targeted: ${targets.join(', ')}` : undefined;
}

/**
 * The engine with every preview and up narrowed to `scope`: the targets (and only they) are
 * acted on, after a refresh when asked. An `up` with targets says so in its update message.
 * Everything else passes through unchanged.
 */
export function scopedEngine(engine: Engine, scope: RunScope): Engine {
  const note = scopeNote(scope);
  const run: Engine['run'] = (request, sink) => {
    if (!scopedOps.has(request.operation)) return engine.run(request, sink);
    const message = request.operation === 'up' && note ? [request.message, note].filter(Boolean).join('; ') : request.message;
    return engine.run({ ...request, message, targets: scope.targets, refresh: scope.refresh }, sink);
  };
  // A proxy, not a copy: methods other commands add to Engine reach the real one, bound to it.
  return new Proxy(engine, {
    get(target, key) {
      if (key === 'run') return run;
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
