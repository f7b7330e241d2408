import { describe, expect, it } from 'vitest';
import { neverDeployed } from '../../src/actions/undeployed-dependencies.js';
import type { StackRecord } from '../../src/backend-state/stack-record.js';

const record = (over: Partial<StackRecord>): StackRecord => ({
  exists: true,
  tags: {},
  version: 0,
  pulumiLocks: [],
  gitopsLock: false,
  unknownOutcomes: false,
  ...over,
});

describe('whether a record says a stack was never deployed', () => {
  it('no state in the backend: never deployed', () => {
    expect(neverDeployed({ ok: true, record: record({ exists: false }) })).toBe(true);
  });

  it('the empty state a preview leaves (no update, no resource): never deployed', () => {
    expect(neverDeployed({ ok: true, record: record({ state: { live: 0, resources: 0, pending: [] } }) })).toBe(true);
  });

  it('an update in its history, or resources in its state: deployed', () => {
    expect(neverDeployed({ ok: true, record: record({ version: 1, state: { live: 0, resources: 0, pending: [] } }) })).toBe(false);
    expect(neverDeployed({ ok: true, record: record({ state: { live: 0, resources: 1, pending: [] } }) })).toBe(false);
  });

  it('a record that could not be read, or came through the CLI without one, says nothing', () => {
    expect(neverDeployed(undefined)).toBe(false);
    expect(neverDeployed({ ok: true })).toBe(false);
  });
});
