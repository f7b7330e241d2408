import { parse } from 'yaml';
import type { GitReader } from '../git/git.js';
import type { PolicyTarget } from './select.js';

/** A stack as the checkout defines it: its id, its labels and its file (relative to the repository root). */
export interface LabelledStack {
  name: string;
  labels?: readonly string[];
  file: string;
}

/** The `labels:` of a stack file's text; none when the text is not YAML or has no list of strings there. */
export function labelsOf(text: string | undefined): string[] {
  if (text === undefined) return [];
  try {
    const labels = (parse(text) as { labels?: unknown } | null)?.labels;
    return Array.isArray(labels) ? labels.filter((l): l is string => typeof l === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Each stack with the labels its file has in the checkout and at `commit` (the protected side),
 * together: a change that drops a label from its stack file is still checked by the packs that
 * label selects until it merges; adding one only adds packs.
 */
export async function policyTargets(git: GitReader, stacks: readonly LabelledStack[], commit: string | undefined): Promise<PolicyTarget[]> {
  return Promise.all(
    stacks.map(async (s) => {
      const before = commit && s.file ? labelsOf(await git.show(commit, s.file)) : [];
      return { name: s.name, labels: [...new Set([...(s.labels ?? []), ...before])].sort() };
    }),
  );
}
