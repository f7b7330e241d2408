import type { PackRule } from './settings.js';

/**
 * The pack's configuration file as Pulumi reads it (`--policy-pack-config`): per policy its
 * enforcement level and properties. `advisoryOnly`: nothing may fail the run (a merge request's
 * new rules, shown to its author but not yet in force): every level becomes advisory, and
 * `all: advisory` covers the policies the rule does not name. Pure.
 */
export function packConfig(rule: PackRule, advisoryOnly = false): Record<string, unknown> {
  const out: Record<string, unknown> = advisoryOnly ? { all: 'advisory' } : {};
  const names = new Set([...Object.keys(rule.enforcement), ...Object.keys(rule.config)]);
  for (const name of [...names].sort()) {
    const declared = rule.enforcement[name];
    const level = advisoryOnly && declared === 'mandatory' ? 'advisory' : declared;
    out[name] = { ...(rule.config[name] ?? {}), ...(level ? { enforcementLevel: level } : {}) };
  }
  return out;
}
