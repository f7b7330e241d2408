import { watchMatcher } from '../affected/watch-glob.js';
import type { PackRule, PolicySettings } from './settings.js';

/** Whether a pack's rule applies to a stack: `all`, or a name (or a folder of nested stacks) or glob matching the stack's name. */
export function ruleApplies(rule: PackRule, stack: string): boolean {
  if (rule.stacks === 'all') return true;
  return rule.stacks.some((pattern) => watchMatcher(pattern)(stack));
}

/** The packs (by name, sorted) that apply to a stack. Pure. */
export function packsForStack(settings: PolicySettings, stack: string): string[] {
  return [...settings.packs.entries()]
    .filter(([, rule]) => ruleApplies(rule, stack))
    .map(([name]) => name)
    .sort();
}
