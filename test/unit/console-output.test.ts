import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { consoleSink, heartbeatMs } from '../../src/cli/context.js';
import { EventCollector } from '../../src/engine/event-collector.js';
import type { ProgressEvent } from '../../src/engine/progress.js';
import { renderProgress } from '../../src/report/console-progress.js';

const urn = 'urn:pulumi:web::site::pulumi-nodejs:dynamic:Resource::index-html';
const step = (kind: 'resourcePreEvent' | 'resOutputsEvent', op: string): EngineEvent =>
  ({
    sequence: 1,
    timestamp: 0,
    [kind]: { metadata: { provider: '', type: 'pulumi-nodejs:dynamic:Resource', urn, op } },
  }) as unknown as EngineEvent;

/** A console sink writing into an array, as the CLI's would write to stderr. */
function capture(quiet = false) {
  const lines: string[] = [];
  const cli = {
    cwd: '/',
    env: {},
    signal: new AbortController().signal,
    io: {
      stdout: () => undefined,
      stderr: (t: string) => {
        lines.push(t.trimEnd());
      },
    },
  };
  return { lines, sink: consoleSink(cli, quiet) };
}

describe('console output', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says every 15 s which stacks are still running, and stops once they are done', () => {
    const { lines, sink } = capture();
    sink({ type: 'stack-start', stack: 'web', operation: 'up' });
    vi.advanceTimersByTime(heartbeatMs);
    expect(lines).toEqual(['[web] up started', '[web] up still running (15.0s)']);
    sink({
      type: 'stack-done',
      stack: 'web',
      result: { name: 'web', operation: 'up', status: 'succeeded', changes: {}, resources: [], durationMs: 15_500 },
    });
    vi.advanceTimersByTime(3 * heartbeatMs);
    expect(lines.filter((l) => l.includes('still running'))).toHaveLength(1);
  });

  it('quiet means no heartbeat either', () => {
    const { lines, sink } = capture(true);
    sink({ type: 'stack-start', stack: 'web', operation: 'up' });
    vi.advanceTimersByTime(2 * heartbeatMs);
    expect(lines).toEqual([]);
  });

  it('prints a line when a changing resource finishes, with its duration', () => {
    let clock = 1_000;
    const events: ProgressEvent[] = [];
    const c = new EventCollector(
      'web',
      (e) => events.push(e),
      false,
      () => clock,
    );
    c.handle(step('resourcePreEvent', 'update'));
    clock += 2_300;
    c.handle(step('resOutputsEvent', 'update'));
    const done = events.find((e) => e.type === 'resource-done')!;
    expect(renderProgress(done)).toBe('[web]   ~ update pulumi-nodejs:dynamic:Resource index-html done (2.3s)');
  });

  it('prints each diagnostic once, though the engine repeats it', () => {
    const events: ProgressEvent[] = [];
    const c = new EventCollector('web', (e) => events.push(e), false);
    const diagnostic = { diagnosticEvent: { urn, message: 'error: EACCES\n', color: 'never', severity: 'error' } };
    c.handle({ sequence: 1, timestamp: 0, ...diagnostic } as unknown as EngineEvent);
    c.handle({
      sequence: 2,
      timestamp: 0,
      ...diagnostic,
      diagnosticEvent: { ...diagnostic.diagnosticEvent, urn: 'urn:pulumi:web::site::pulumi:pulumi:Stack::site-web' },
    } as unknown as EngineEvent);
    expect(events.filter((e) => e.type === 'diagnostic')).toHaveLength(1);
    expect(c.errors).toHaveLength(2);
  });
});
