import { GitopsError, userError } from '../errors/gitops-error.js';
import { nearestName } from '../lib/nearest.js';
import type { StackCatalog } from '../stacks/load.js';

export interface Selection {
  names?: readonly string[];
  all?: boolean;
}

/**
 * Resolves `--stack NAME...` or `--all` against the catalogue. Every unknown name is
 * reported at once; nothing runs.
 */
export function selectStacks(catalog: StackCatalog, selection: Selection): string[] {
  const names = selection.names ?? [];
  if (selection.all && names.length > 0) throw userError('USAGE', 'use either --stack or --all, not both');
  if (selection.all) return catalog.stacks.map((s) => s.name);
  if (names.length === 0) throw userError('USAGE', 'name the stacks with --stack NAME (repeatable), or pass --all');
  const unknown = names.filter((n) => !catalog.byName.has(n));
  if (unknown.length > 0) {
    const known = catalog.stacks.map((s) => s.name);
    const guesses = unknown.flatMap((n) => {
      const near = nearestName(n, known);
      return near ? [`"${n}" -> did you mean "${near}"?`] : [];
    });
    throw new GitopsError({
      code: 'STACK_UNKNOWN',
      kind: 'user',
      message: `unknown stack${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}: no stacks/${unknown[0]}.yaml`,
      details: guesses,
      hint: `known stacks: ${known.join(', ') || '(none)'}`,
    });
  }
  return [...new Set(names)];
}
