import { gunzipSync } from 'node:zlib';
import type { PendingOperation } from './pending-operations.js';
import { pendingOperationsOf } from './pending-operations.js';

/** One update of a stack's history, as Pulumi records it (the fields gitops reads). */
export interface UpdateRecord {
  kind: string;
  result?: string;
  message?: string;
  startTime?: number;
  endTime?: number;
}

/** What a stack's state file says, short of its resources' properties. */
export interface StateSummary {
  /** Resources in the state other than the stack itself (`pulumi:pulumi:Stack`) and providers: what runs somewhere. */
  live: number;
  /** Every resource in the state, the stack's own (which carries its outputs) included: none until an update ran. */
  resources: number;
  /** Operations a killed run began and never finished. */
  pending: PendingOperation[];
}

/**
 * Everything gitops reads of one stack's records in the backend, without running its program
 * or decrypting anything: its tags, its latest update, its version (updates in its history),
 * a summary of its state, and who holds it.
 */
export interface StackRecord {
  /** Whether the backend has a state file for the stack. */
  exists: boolean;
  tags: Record<string, string>;
  /** The newest update of its history; undefined when it has none. */
  latestUpdate?: UpdateRecord;
  /** How many updates its history holds: Pulumi's version of a self-managed stack. */
  version: number;
  /** Undefined when the stack has no state file. */
  state?: StateSummary;
  /** Pulumi's lock files on the stack (one per runner holding it): their addresses. */
  pulumiLocks: string[];
  /** Whether gitops' own stack lock is taken. */
  gitopsLock: boolean;
  /** Whether a record of creates of unknown outcome exists. */
  unknownOutcomes: boolean;
}

/** The text of a state or history object, gunzipped when it is gzip; zstd is refused (Node 20 cannot read it). */
export function objectText(bytes: Buffer): string {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes).toString('utf8');
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0xfd2fb528)
    throw new Error('it is zstd-compressed, which this reader cannot decompress');
  return bytes.toString('utf8');
}

/** A JSON object, or an error saying what is wrong with the text. */
function parseObject(text: string): Record<string, unknown> {
  if (text.trim() === '') throw new Error('it is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`it is not valid JSON, cut short or damaged (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('it is not a JSON object');
  return value as Record<string, unknown>;
}

/** The summary of a state file (`{version, checkpoint: {latest: deployment}}`); throws saying what is wrong. */
export function parseStateFile(bytes: Buffer): StateSummary {
  const file = parseObject(objectText(bytes));
  const checkpoint = file.checkpoint as { latest?: unknown } | undefined;
  if (typeof file.version !== 'number' || typeof checkpoint !== 'object' || checkpoint === null) {
    throw new Error('it is not a Pulumi checkpoint (no version or checkpoint)');
  }
  const latest = checkpoint.latest as { resources?: unknown; pending_operations?: unknown } | undefined | null;
  if (latest === undefined || latest === null) return { live: 0, resources: 0, pending: [] };
  if (latest.resources !== undefined && !Array.isArray(latest.resources)) throw new Error('its resources are not a list');
  if (latest.pending_operations !== undefined && !Array.isArray(latest.pending_operations))
    throw new Error('its pending operations are not a list');
  const pending = (latest.pending_operations ?? []) as { resource?: { urn?: unknown; type?: unknown }; type?: unknown }[];
  const wellFormed = pending.map((op) => ({
    type: String(op?.type ?? ''),
    resource: { urn: String(op?.resource?.urn ?? ''), type: String(op?.resource?.type ?? '') },
  }));
  const manifest = (latest as { manifest?: { time?: string } }).manifest;
  const resources = (latest.resources as { type?: unknown }[] | undefined) ?? [];
  return {
    live: resources.filter((r) => !bookkeeping(r?.type)).length,
    resources: resources.length,
    pending: pendingOperationsOf({ ...(manifest ? { manifest } : {}), pending_operations: wellFormed }),
  };
}

/** Resources that are Pulumi's own bookkeeping, not something running: the stack, and providers. */
function bookkeeping(type: unknown): boolean {
  return typeof type === 'string' && (type === 'pulumi:pulumi:Stack' || type.startsWith('pulumi:providers:'));
}

/** A tags file (`{version: 1, tags: {...}}`); throws saying what is wrong. */
export function parseTagsFile(bytes: Buffer): Record<string, string> {
  const file = parseObject(objectText(bytes));
  if (file.version !== 1) throw new Error(`its version is ${JSON.stringify(file.version)}, not 1`);
  const tags = (file.tags ?? {}) as Record<string, unknown>;
  if (typeof tags !== 'object' || Array.isArray(tags)) throw new Error('its tags are not an object');
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
}

/** One history file (an update's `UpdateInfo`); throws saying what is wrong. */
export function parseHistoryFile(bytes: Buffer): UpdateRecord {
  const file = parseObject(objectText(bytes));
  if (typeof file.kind !== 'string') throw new Error('it names no kind of update');
  return {
    kind: file.kind,
    ...(typeof file.result === 'string' ? { result: file.result } : {}),
    ...(typeof file.message === 'string' ? { message: file.message } : {}),
    ...(typeof file.startTime === 'number' ? { startTime: file.startTime } : {}),
    ...(typeof file.endTime === 'number' ? { endTime: file.endTime } : {}),
  };
}
