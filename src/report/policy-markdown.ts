import { resourceName } from '../backend-state/urn-name.js';
import type { PolicyViolation } from '../engine/policy-result.js';
import type { StackResult } from '../engine/result.js';
import { cutText } from '../lib/cut-text.js';
import type { PackChange } from '../policy/pack-changes.js';
import { code, table } from './markdown.js';
import type { Redact } from './value-markdown.js';

/** Characters of one violation's message in a comment; the job log and --json have all of it. */
const maxMessage = 300;

function packMark(violations: readonly PolicyViolation[]): string {
  if (violations.some((v) => v.enforcement === 'mandatory' && !v.proposed)) return '❌';
  return violations.length > 0 ? '⚠️' : '✅';
}

/**
 * The policy section of a report: per stack and pack ✅ (no violation), ⚠️ (advisory only) or ❌
 * (a mandatory violation), then each violation with its policy, enforcement, resource and message,
 * redacted; and the packs the change edits. Empty when no pack ran and none changed. Pure.
 */
export function policyMarkdown(results: readonly StackResult[], redact: Redact, changes: readonly PackChange[] = []): string {
  const checked = results.filter((r) => r.policy && r.policy.packs.length > 0);
  const parts: string[] = [];
  if (checked.length > 0) {
    const rows = checked.flatMap((r) =>
      r.policy!.packs.map((p) => {
        const of = r.policy!.violations.filter((v) => v.pack === p.name && Boolean(v.proposed) === Boolean(p.proposed));
        const ran = r.status === 'succeeded' || of.length > 0 || r.error?.code === 'POLICY_VIOLATION';
        const label = p.proposed ? `${code(p.name)} (new in this change: advisory until merged)` : code(p.name);
        return [
          r.name,
          label,
          ran
            ? `${packMark(of)} ${of.length === 0 ? 'no violations' : `${of.length} violation${of.length > 1 ? 's' : ''}`}`
            : '— did not run',
        ];
      }),
    );
    parts.push(`**Policy checks**\n\n${table(['Stack', 'Pack', 'Result'], rows)}`);
    const violations = checked.flatMap((r) => r.policy!.violations.map((v) => ({ stack: r.name, v })));
    if (violations.length > 0) {
      const vrows = violations.map(({ stack, v }) => [
        stack,
        `${code(v.pack)} / ${code(v.policy)}`,
        v.enforcement === 'mandatory' && !v.proposed ? '❌ mandatory' : `⚠️ ${v.enforcement}${v.proposed ? ' (proposed)' : ''}`,
        v.urn ? code(resourceName(v.urn)) : 'the stack',
        cutText(redact(v.message), maxMessage),
      ]);
      parts.push(table(['Stack', 'Policy', 'Enforcement', 'Resource', 'Message'], vrows));
    }
  }
  if (changes.length > 0) {
    const lines = changes.map((c) => `- ${code(c.pack)}: ${c.change}`);
    parts.push(
      `**⚠️ This merge request changes policy packs.** This preview and the deploy after the merge check the packs of the base; the change takes effect for the changes merged after it:\n${lines.join('\n')}`,
    );
  }
  return parts.join('\n\n');
}
