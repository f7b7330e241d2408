import { describe, expect, it } from 'vitest';
import { GITHUB_MAX_BODY_CHARS, GITLAB_MAX_BODY_CHARS, maxBodyChars } from '../../src/forge/forge.js';
import { bodyBudget, hasMarker, markerFor, planUpsert, sameBody, withMarker } from '../../src/forge/markers.js';

describe('markers', () => {
  it('hides a key in an HTML comment on the first line', () => {
    expect(withMarker('drift:prod-eu', '# Drift')).toBe('<!-- gitops:drift:prod-eu -->\n# Drift');
  });

  it.each(['a--b', 'x>y', 'with space', ''])('refuses key %j, which would break the comment', (key) => {
    expect(() => markerFor(key)).toThrow(expect.objectContaining({ code: 'FORGE_ERROR', kind: 'internal' }));
  });

  it('recognises only a body that starts with the exact marker', () => {
    expect(hasMarker('<!-- gitops:preview -->\nbody', 'preview')).toBe(true);
    expect(hasMarker('\r\n  <!-- gitops:preview -->', 'preview')).toBe(true);
    expect(hasMarker('> <!-- gitops:preview -->\n> quoted', 'preview')).toBe(false);
    expect(hasMarker('<!-- gitops:preview -->x', 'preview')).toBe(false);
    expect(hasMarker('<!-- gitops:drift:prod -->', 'drift:pro')).toBe(false);
    expect(hasMarker('<!-- gitops:drift:prod-eu -->\n', 'drift:prod')).toBe(false);
    expect(hasMarker(null, 'preview')).toBe(false);
  });

  it('compares bodies as a reader would', () => {
    expect(sameBody('a\r\nb\n', 'a\nb')).toBe(true);
    expect(sameBody('a\nb', 'a\nc')).toBe(false);
    expect(sameBody(null, '')).toBe(true);
  });

  it('plans create, unchanged or update, taking the oldest marked item', () => {
    const items = [
      { id: 1, body: 'other' },
      { id: 2, body: withMarker('k', 'v1') },
      { id: 3, body: withMarker('k', 'v2') },
    ];
    const current = (body: string) => (i: { body: string }) => sameBody(i.body, withMarker('k', body));
    expect(planUpsert(items, 'k', (i) => i.body, current('v1'))).toEqual({ action: 'unchanged', item: items[1] });
    expect(planUpsert(items, 'k', (i) => i.body, current('v3'))).toEqual({ action: 'update', item: items[1] });
    expect(planUpsert(items, 'other-key', (i) => i.body, current('v1'))).toEqual({ action: 'create' });
  });

  it('gives each platform its limit, minus the marker line', () => {
    expect([maxBodyChars('gitlab'), maxBodyChars('github')]).toEqual([1_000_000, 65_536]);
    expect(GITLAB_MAX_BODY_CHARS).toBe(1_000_000);
    expect(bodyBudget('github', 'preview')).toBe(GITHUB_MAX_BODY_CHARS - withMarker('preview', '').length);
  });
});
