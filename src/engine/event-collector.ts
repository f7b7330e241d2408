import type { EngineEvent, StepEventMetadata } from '@pulumi/pulumi/automation/index.js';
import type { ProgressSink } from './progress.js';
import type { PropertyChange, ResourceChange } from './result.js';

/** Steps of one replacement collapse into one `replace` entry per resource. */
const replaceSteps = new Set(['replace', 'create-replacement', 'delete-replaced', 'discard-replaced', 'import-replacement']);
const maxValueLength = 240;
const changingOps = new Set(['update', 'replace', 'create-replacement', 'delete-replaced']);

export function resourceName(urn: string): string {
  const i = urn.lastIndexOf('::');
  return i < 0 ? urn : urn.slice(i + 2);
}

/** Default providers are the engine's bookkeeping, not resources a user declared. */
function isDefaultProvider(urn: string, type: string): boolean {
  const name = resourceName(urn);
  return type.startsWith('pulumi:providers:') && (name === 'default' || name.startsWith('default_'));
}

function valueAt(obj: unknown, path: string): unknown {
  let current: unknown = obj;
  for (const part of path.split(/\.|\[|\]/).filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part.replace(/^"|"$/g, '')];
  }
  return current;
}

/** Renders a value for reports: strings as-is, the rest as compact JSON, long values cut. */
export function renderValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (isSecret(value)) return '[secret]';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength)}…` : text;
}

/** Pulumi's marker for a secret value in engine events. */
const secretSig = '4dabf18193072939515e22adb298388d';

function isSecret(value: unknown): boolean {
  return typeof value === 'object' && value !== null && secretSig in value;
}

/**
 * Paths whose values differ between two property bags. A refresh reports no diff of its own,
 * so drift is found by comparing the outputs in state with the outputs read live.
 */
export function diffPaths(before: unknown, after: unknown, prefix = ''): string[] {
  if (isSecret(before) || isSecret(after)) return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => k !== '__provider').sort();
    return keys.flatMap((k) => diffPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  // Lists of the same length (containers, ports) are compared item by item, so the path names the field.
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && prefix) {
    return before.flatMap((b, i) => diffPaths(b, after[i], `${prefix}[${i}]`));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [prefix];
}

function propertyChanges(meta: StepEventMetadata, refresh: boolean): PropertyChange[] {
  const detailed = meta.detailedDiff ?? {};
  // For a refresh, old is the state (what Git last deployed) and new is what was read live.
  const before = meta.old?.outputs ?? meta.old?.inputs;
  const after = refresh ? (meta.new?.outputs ?? meta.new?.inputs) : (meta.new?.inputs ?? meta.new?.outputs);
  let paths = Object.keys(detailed).length > 0 ? Object.keys(detailed) : (meta.diffs ?? []);
  // Some providers (dynamic ones among them) say only "changed", and a refresh reports no diff
  // at all: then compare the two property bags ourselves, as Pulumi's own display does.
  if (paths.length === 0 && changingOps.has(meta.op)) {
    const [a, b] = refresh ? [before, after] : [meta.old?.inputs, meta.new?.inputs];
    if (a && b) paths = diffPaths(a, b);
    // Drift is a difference in what Git declares: live-only fields (status, resourceVersion,
    // generation, managed fields) change on their own and are not drift.
    if (refresh && meta.old?.inputs) paths = paths.filter((p) => valueAt(meta.old!.inputs, p) !== undefined);
  }
  return paths.sort().map((p) => {
    const kind = detailed[p]?.diffKind ?? 'update';
    const [oldValue, newValue] = [valueAt(before, p), valueAt(after, p)];
    return {
      path: p,
      kind: String(kind),
      old: renderValue(oldValue),
      new: renderValue(newValue),
      ...(isSecret(oldValue) || isSecret(newValue) ? { secret: true } : {}),
    };
  });
}

/** True when a property bag holds a secret anywhere. */
function holdsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  return typeof value === 'object' && value !== null && Object.values(value).some(holdsSecret);
}

/**
 * Folds the engine's event stream into resource changes, and forwards typed progress events.
 * One collector serves one operation on one stack.
 */
export class EventCollector {
  readonly resources = new Map<string, ResourceChange>();
  readonly errors: { urn?: string; message: string }[] = [];
  readonly failedResources: { urn: string; message: string }[] = [];
  summary?: Record<string, number>;
  /** Refreshed resources that changed while holding secrets: their secret values arrived masked. */
  readonly secretSuspects = new Set<string>();
  /** When each resource's step started, for the duration on its done line. */
  private readonly startedAt = new Map<string, number>();
  /** Diagnostics already passed on: the engine repeats some (on the resource and again on the stack). */
  private readonly shown = new Set<string>();

  constructor(
    private readonly stack: string,
    private readonly sink: ProgressSink,
    private readonly refresh: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  readonly handle = (event: EngineEvent): void => {
    if (event.resourcePreEvent) this.onStep(event.resourcePreEvent.metadata, 'start');
    else if (event.resOutputsEvent) this.onStep(event.resOutputsEvent.metadata, 'done');
    else if (event.resOpFailedEvent) {
      const meta = event.resOpFailedEvent.metadata;
      this.failedResources.push({ urn: meta.urn, message: `${meta.op} failed` });
      this.sink({ type: 'resource-failed', stack: this.stack, urn: meta.urn, name: resourceName(meta.urn), message: `${meta.op} failed` });
    } else if (event.diagnosticEvent) {
      const d = event.diagnosticEvent;
      // Debug diagnostics are the engine's and providers' tracing, not messages for people.
      if ((d.severity as string) === 'debug') return;
      const severity = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info';
      const message = d.message.trim();
      if (severity === 'error') this.errors.push({ urn: d.urn, message });
      const key = `${severity}\0${message}`;
      if ((severity !== 'info' || !d.ephemeral) && !this.shown.has(key)) {
        this.shown.add(key);
        this.sink({ type: 'diagnostic', stack: this.stack, severity, message, urn: d.urn });
      }
    } else if (event.summaryEvent) {
      this.summary = { ...event.summaryEvent.resourceChanges } as Record<string, number>;
    }
  };

  private onStep(meta: StepEventMetadata, phase: 'start' | 'done'): void {
    if (meta.type === 'pulumi:pulumi:Stack' && meta.op === 'same') return;
    if (isDefaultProvider(meta.urn, meta.type)) return;
    const op = replaceSteps.has(meta.op) ? 'replace' : meta.op;
    const name = resourceName(meta.urn);
    const existing = this.resources.get(meta.urn);
    const properties = propertyChanges(meta, this.refresh);
    if (this.refresh && changingOps.has(meta.op) && holdsSecret(meta.old?.outputs ?? meta.old?.inputs)) this.secretSuspects.add(meta.urn);
    const entry: ResourceChange = {
      urn: meta.urn,
      type: meta.type,
      name,
      op: existing && existing.op === 'replace' ? 'replace' : op,
      changedProperties: [...new Set([...(existing?.changedProperties ?? []), ...properties.map((p) => p.path.split(/[.[]/)[0]!)])].sort(),
      // The first step that knew the properties wins: a replacement's later steps know less.
      properties: existing?.properties.length ? existing.properties : properties,
      protected: meta.old?.protect ?? meta.new?.protect,
    };
    this.resources.set(meta.urn, entry);
    const event = { stack: this.stack, op: entry.op, urn: meta.urn, resourceType: meta.type, name };
    if (phase === 'start') {
      if (!this.startedAt.has(meta.urn)) this.startedAt.set(meta.urn, this.now());
      this.sink({ type: 'resource-start', ...event });
    } else {
      const started = this.startedAt.get(meta.urn);
      this.sink({ type: 'resource-done', ...event, ...(started === undefined ? {} : { durationMs: this.now() - started }) });
    }
  }

  /**
   * Adds drift in secret properties, found by comparing decrypted values in memory (the events
   * mask them): each change shows `[secret]` for both values and carries `secret: true`.
   */
  addSecretChanges(changes: readonly { urn: string; change: PropertyChange }[]): void {
    for (const { urn, change } of changes) {
      const entry = this.resources.get(urn);
      if (!entry) continue;
      const properties = [...entry.properties.filter((p) => p.path !== change.path), change].sort((a, b) => a.path.localeCompare(b.path));
      const changedProperties = [...new Set([...entry.changedProperties, change.path.split(/[.[]/)[0]!])].sort();
      this.resources.set(urn, { ...entry, properties, changedProperties });
    }
  }

  resourceList(): ResourceChange[] {
    return [...this.resources.values()];
  }
}
