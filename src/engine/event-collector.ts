import type { EngineEvent, StepEventMetadata } from '@pulumi/pulumi/automation/index.js';
import { resourceName } from '../backend-state/urn-name.js';
import { cutText } from '../lib/cut-text.js';
import { stableJson } from '../lib/stable-json.js';
import { attributeOwners, foreignFields } from './managed-fields.js';
import type { ProgressSink } from './progress.js';
import type { OutputChange, PropertyChange, ResourceChange } from './result.js';

/** Steps of one replacement collapse into one `replace` entry per resource. */
const replaceSteps = new Set(['replace', 'create-replacement', 'delete-replaced', 'discard-replaced', 'import-replacement']);
/** Long enough for any value a reviewer reads in full; reports collapse the biggest ones to fit their platform. */
const maxValueLength = 1_000_000;
const changingOps = new Set(['update', 'replace', 'create-replacement', 'delete-replaced']);

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

/** Removes known secrets from a text; the identity when the engine has no redactor. */
export type Redact = (text: string) => string;

/**
 * Renders a value for reports: strings as-is, the rest as stable pretty JSON (one line per field,
 * so a change deep in a spec diffs as one line), values past a megabyte cut with a
 * note of how much was left out. Redacted before the cut: a cut through a secret would leave a
 * part the redactor no longer recognises.
 */
export function renderValue(value: unknown, redact: Redact = (t) => t): string | undefined {
  if (value === undefined) return undefined;
  if (isSecret(value)) return '[secret]';
  if (isUnknown(value)) return unknownText;
  const text = typeof value === 'string' ? value : stableJson(value, (v) => (isSecret(v) ? '[secret]' : isUnknown(v) ? unknownText : v));
  return cutText(redact(text), maxValueLength);
}

/** Pulumi's stand-in for a value a preview cannot know (computed during the update). */
const unknownSig = '04da6b54-80e4-46f7-96ec-b56ff0331ba9';
/** How reports show a value only the deploy will know. */
export const unknownText = '(known after deploy)';

function isUnknown(value: unknown): boolean {
  return value === unknownSig;
}

/** True when a value is, or holds, a value the preview cannot know. */
function holdsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  return typeof value === 'object' && value !== null && !isSecret(value) && Object.values(value).some(holdsUnknown);
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

/** Top-level properties of a preview step that hold secrets: where a change hides when nothing else differs. */
function secretPaths(inputs: Record<string, unknown> | undefined): string[] {
  return Object.entries(inputs ?? {})
    .filter(([k, v]) => k !== '__provider' && holdsSecret(v))
    .map(([k]) => k);
}

function propertyChanges(meta: StepEventMetadata, refresh: boolean, redact: Redact): PropertyChange[] {
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
    // Secrets arrive masked, so a changed secret compares equal: when nothing visible differs,
    // the change is in a secret, and the report says which property without its value.
    if (!refresh && paths.length === 0) paths = secretPaths(meta.new?.inputs);
  }
  // The properties whose change forces a replacement (a provider without a detailed diff names them here).
  const replaceKeys = new Set(meta.keys ?? []);
  return paths.sort().map((p) => {
    const declared = String(detailed[p]?.diffKind ?? 'update');
    const kind = replaceKeys.has(p.split(/[.[]/)[0]!) && !declared.endsWith('-replace') ? `${declared}-replace` : declared;
    const [oldValue, newValue] = [valueAt(before, p), valueAt(after, p)];
    return {
      path: p,
      kind,
      old: renderValue(oldValue, redact),
      new: renderValue(newValue, redact),
      ...(holdsSecret(oldValue) || holdsSecret(newValue) ? { secret: true } : {}),
    };
  });
}

/**
 * Stack outputs that differ between the deployed stack (`old`) and the previewed program
 * (`new`). Masked secrets compare equal, so a changed secret output is not seen here.
 */
export function outputChanges(old: Record<string, unknown>, next: Record<string, unknown>, redact: Redact = (t) => t): OutputChange[] {
  const names = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
  return names.flatMap((name): OutputChange[] => {
    const [a, b] = [old[name], next[name]];
    if (JSON.stringify(a) === JSON.stringify(b)) return [];
    const kind = b === undefined ? 'delete' : holdsUnknown(b) ? 'unknown' : a === undefined ? 'add' : 'update';
    return [
      {
        name,
        kind,
        ...(a === undefined ? {} : { old: renderValue(a, redact) }),
        ...(b === undefined ? {} : { new: kind === 'unknown' ? unknownText : renderValue(b, redact) }),
        ...(holdsSecret(a) || holdsSecret(b) ? { secret: true } : {}),
      },
    ];
  });
}

/**
 * What a created or replacing resource is given: its new inputs as stable pretty JSON, secrets
 * as `[secret]`, values the preview cannot know as such, redacted. The engine's own `__`
 * bookkeeping keys are left out.
 */
function newInputs(meta: StepEventMetadata, redact: Redact): string | undefined {
  if (!(meta.op === 'create' || replaceSteps.has(meta.op)) || !meta.new?.inputs) return undefined;
  const inputs = Object.fromEntries(Object.entries(meta.new.inputs).filter(([k]) => !k.startsWith('__')));
  return renderValue(inputs, redact);
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
  /** The Stack resource's outputs, as deployed and as the operation leaves them (its last outputs event wins). */
  private stackOutputs?: { old: Record<string, unknown>; new: Record<string, unknown> };
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
    private readonly redact: Redact = (t) => t,
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
    // The program registers the stack outputs last, so the last outputs event of the Stack resource holds them.
    if (meta.type === 'pulumi:pulumi:Stack' && phase === 'done') {
      this.stackOutputs = { old: meta.old?.outputs ?? {}, new: meta.new?.outputs ?? {} };
    }
    if (meta.type === 'pulumi:pulumi:Stack' && meta.op === 'same') return;
    if (isDefaultProvider(meta.urn, meta.type)) return;
    const op = replaceSteps.has(meta.op) ? 'replace' : meta.op;
    const name = resourceName(meta.urn);
    const existing = this.resources.get(meta.urn);
    // With `--refresh`, a resource's refresh step (op `refresh`) carries how live differs from the
    // state: drift, not this operation's change, which its own later step reports.
    const changes = !this.refresh && meta.op === 'refresh' ? [] : propertyChanges(meta, this.refresh, this.redact);
    // Refreshed Kubernetes objects name who owns each drifted field (their live managedFields).
    const properties = this.refresh ? attributeOwners(changes, meta.new?.outputs, meta.old?.outputs) : changes;
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
    const inputs = this.refresh ? undefined : newInputs(meta, this.redact);
    if (inputs !== undefined || existing?.inputs !== undefined) entry.inputs = existing?.inputs ?? inputs;
    const foreign = this.refresh ? foreignFields(meta.new?.outputs) : [];
    if (foreign.length > 0 || existing?.foreignFields) entry.foreignFields = foreign.length > 0 ? foreign : existing?.foreignFields;
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

  /** The stack outputs the operation changes; empty when the Stack resource reported none. */
  outputChangeList(): OutputChange[] {
    return this.stackOutputs ? outputChanges(this.stackOutputs.old, this.stackOutputs.new, this.redact) : [];
  }
}
