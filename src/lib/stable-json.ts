/** Structured values as stable, pretty-printed JSON: the same value always reads the same, line by line. */

function sortKeys(value: unknown, replace: (v: unknown) => unknown): unknown {
  const v = replace(value);
  if (Array.isArray(v)) return v.map((x) => sortKeys(x, replace));
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k], replace)]),
  );
}

/**
 * `value` as JSON with sorted keys and two-space indents, so a change deep inside an object (a
 * Kubernetes spec) is one changed line. `replace` swaps values first (secrets for `[secret]`).
 */
export function stableJson(value: unknown, replace: (v: unknown) => unknown = (v) => v): string {
  return JSON.stringify(sortKeys(value, replace), null, 2);
}
