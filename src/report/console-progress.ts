import type { ProgressEvent } from '../engine/progress.js';
import { changeCount, noChangeOps, type StackResult } from '../engine/result.js';

const opSymbols: Record<string, string> = { create: '+', update: '~', replace: '+-', delete: '-', refresh: '~', read: '>', import: '=' };

/** Counts of changing operations, e.g. "2 create, 1 update"; "no changes" when none. */
export function describeChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([op, n]) => !noChangeOps.has(op) && n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([op, n]) => `${n} ${op}`);
  return parts.length > 0 ? parts.join(', ') : 'no changes';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function describeResult(r: StackResult): string {
  switch (r.status) {
    case 'succeeded':
      return `${r.operation} done: ${describeChanges(r.changes)} (${seconds(r.durationMs)})`;
    case 'skipped':
      return `skipped: ${r.skipReason ?? ''}`;
    case 'cancelled': {
      // What the cancel left pending (or that nothing was): the lines after the error's first.
      const rest = (r.error?.message ?? '').split('\n').slice(1);
      return [`cancelled (${seconds(r.durationMs)})`, ...rest].join('\n');
    }
    case 'failed':
      return `FAILED: ${r.error?.message ?? 'unknown error'}`;
  }
}

/** One line of live progress per event worth showing, or undefined. Pure. */
export function renderProgress(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case 'stack-start':
      return `[${event.stack}] ${event.operation} started`;
    case 'resource-start':
      if (noChangeOps.has(event.op)) return undefined;
      return `[${event.stack}]   ${opSymbols[event.op] ?? '*'} ${event.op} ${event.resourceType} ${event.name}`;
    case 'resource-failed':
      return `[${event.stack}]   ! ${event.name}: ${event.message}`;
    case 'diagnostic':
      return `[${event.stack}]   ${event.severity}: ${event.message.split('\n')[0]}`;
    case 'stack-done':
      return `[${event.stack}] ${describeResult(event.result)}`;
    case 'log':
      return event.message;
    case 'resource-done':
      if (noChangeOps.has(event.op)) return undefined;
      return `[${event.stack}]   ${opSymbols[event.op] ?? '*'} ${event.op} ${event.resourceType} ${event.name} done${event.durationMs === undefined ? '' : ` (${seconds(event.durationMs)})`}`;
  }
}

/** The line that says a long operation is still running. Pure. */
export function renderHeartbeat(stack: string, operation: string, elapsedMs: number): string {
  return `[${stack}] ${operation} still running (${seconds(elapsedMs)})`;
}

/** True when any stack would change something. */
export function hasChanges(results: readonly StackResult[]): boolean {
  return results.some((r) => changeCount(r.changes) > 0);
}
