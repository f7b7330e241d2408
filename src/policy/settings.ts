import { parse } from 'yaml';
import { z } from 'zod';
import { labelPattern } from '../stacks/schema.js';

/** How a policy's violations count: `mandatory` fails the run, `advisory` is reported, `disabled` does not run. */
export const enforcementLevels = ['advisory', 'mandatory', 'disabled'] as const;
export type EnforcementLevel = (typeof enforcementLevels)[number];

const packName = /^[a-z0-9][a-z0-9._-]*$/;

const packRuleSchema = z
  .object({
    /** `all`, or stack names (globs allowed: `demo-*`). Without it and `labels`: all. */
    stacks: z.union([z.literal('all'), z.array(z.string().min(1)).min(1)]).optional(),
    /** Stack labels (a stack file's `labels:`): the pack applies to a stack carrying any of them. */
    labels: z.array(z.string().regex(labelPattern, 'a label is lower-case letters, digits, ".", "_" and "-"')).min(1).optional(),
    /** Per policy: its enforcement level, over the pack's own default. */
    enforcement: z.record(z.string().min(1), z.enum(enforcementLevels)).default({}),
    /** Per policy: its configuration properties, as the pack's config schema defines them. */
    config: z.record(z.string().min(1), z.record(z.string(), z.unknown())).default({}),
  })
  .strict()
  .refine((r) => !(r.stacks === 'all' && r.labels), {
    message: '`stacks: all` already selects every stack: list stack names, or drop `labels`',
    path: ['labels'],
  });

/** `gitops.policies` of the root Pulumi.yaml: pack folder name (policies/<pack>/) to its rule. */
export const policySettingsSchema = z.record(
  z.string().regex(packName, 'a pack name is lower-case letters, digits, ".", "_" and "-"'),
  packRuleSchema,
);

export type PackRule = z.output<typeof packRuleSchema>;

/** Which packs apply to which stacks, with their config; empty when the repository has none. */
export interface PolicySettings {
  packs: ReadonlyMap<string, PackRule>;
}

/** What reading the settings found: the settings, or every problem (each naming the field). */
export interface PolicySettingsRead {
  settings: PolicySettings;
  problems: string[];
}

const none: PolicySettings = { packs: new Map() };

/**
 * Reads `gitops.policies` from the text of a root Pulumi.yaml (`file` names it in messages).
 * Returns every problem instead of throwing. Pure.
 */
export function parsePolicySettings(text: string | undefined, file: string): PolicySettingsRead {
  if (text === undefined || !text.includes('policies')) return { settings: none, problems: [] };
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { settings: none, problems: [`${file}: invalid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  const raw = (doc as { gitops?: { policies?: unknown } } | null)?.gitops?.policies;
  if (raw === undefined || raw === null) return { settings: none, problems: [] };
  const parsed = policySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${file}: gitops.policies${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
    );
    return { settings: none, problems };
  }
  return { settings: { packs: new Map(Object.entries(parsed.data)) }, problems: [] };
}
