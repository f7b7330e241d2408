import { watchMatcher } from '../affected/watch-glob.js';
import type { PackRule, PolicySettings } from './settings.js';

/** A stack as pack rules select it: its id (the stack file's name) and its labels. */
export interface PolicyTarget {
  name: string;
  labels: readonly string[];
}

/**
 * Whether a pack's rule applies to a stack: a rule with neither `stacks` nor `labels`, or
 * `stacks: all`, applies to every stack; otherwise the stack's name matches one of `stacks` (a
 * name, a folder of nested stacks, or a glob) or it carries one of `labels`.
 */
export function ruleApplies(rule: PackRule, stack: PolicyTarget): boolean {
  if (rule.stacks === 'all' || (rule.stacks === undefined && rule.labels === undefined)) return true;
  if (rule.stacks?.some((pattern) => watchMatcher(pattern)(stack.name))) return true;
  return rule.labels?.some((label) => stack.labels.includes(label)) ?? false;
}

/** The packs (by name, sorted) that apply to a stack. Pure. */
export function packsForStack(settings: PolicySettings, stack: PolicyTarget): string[] {
  return [...settings.packs.entries()]
    .filter(([, rule]) => ruleApplies(rule, stack))
    .map(([name]) => name)
    .sort();
}
