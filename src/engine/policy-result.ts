import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';

/** One policy pack an engine run checks (see `RunRequest.policy`). */
export interface PolicyPackRun {
  /** The pack's name in the root settings (its folder under policies/). */
  name: string;
  /** The prepared pack folder the analyzer runs in: a copy taken from the protected side. */
  dir: string;
  /** Its `--policy-pack-config` file. */
  configFile: string;
  /** The merge request's own new rules: run so the author sees them, but every violation is advisory. */
  advisoryOnly?: boolean;
}

/** The packs one engine run checks. */
export interface PolicyRun {
  packs: PolicyPackRun[];
}

/** One violation of a policy, as reported. Messages are redacted like every other text. */
export interface PolicyViolation {
  /** The pack's name as the pack declares it (PulumiPolicy.yaml). */
  pack: string;
  policy: string;
  enforcement: 'advisory' | 'mandatory';
  /** The resource's URN; undefined for a stack-wide policy. */
  urn?: string;
  message: string;
  /** From a merge request's new rules, which are not in force yet. */
  proposed?: boolean;
}

/** What the policy packs of a run said. */
export interface PolicyOutcome {
  /** The packs that ran, by settings name; `proposed` ones are the merge request's new rules. */
  packs: { name: string; proposed?: boolean }[];
  violations: PolicyViolation[];
}

/** The violation an engine `policyEvent` carries, or undefined for another event. Pulumi calls advisory "warning". */
export function violationOf(
  event: EngineEvent,
  redact: (t: string) => string,
  proposedPacks: ReadonlySet<string>,
): PolicyViolation | undefined {
  const p = event.policyEvent;
  if (!p) return undefined;
  const message = redact(p.message.trim());
  return {
    pack: p.policyPackName,
    policy: p.policyName,
    enforcement: p.enforcementLevel === 'mandatory' ? 'mandatory' : 'advisory',
    ...(p.resourceUrn ? { urn: p.resourceUrn } : {}),
    message,
    ...(proposedPacks.has(p.policyPackName) ? { proposed: true } : {}),
  };
}

/** Whether any violation in force is mandatory: the run must not change anything. */
export function blocksRun(outcome: PolicyOutcome | undefined): boolean {
  return outcome?.violations.some((v) => v.enforcement === 'mandatory' && !v.proposed) ?? false;
}

/** Folds the `policyEvent`s of one engine run into its {@link PolicyOutcome}. */
export class PolicyCollector {
  readonly violations: PolicyViolation[] = [];
  private readonly seen = new Set<string>();
  private readonly proposed: ReadonlySet<string>;

  constructor(
    private readonly run: PolicyRun,
    private readonly redact: (t: string) => string,
  ) {
    this.proposed = new Set(run.packs.filter((p) => p.advisoryOnly).map((p) => p.name));
  }

  /** Takes one engine event; returns the violation it carried, the first time it is seen. */
  collect(event: EngineEvent): PolicyViolation | undefined {
    const v = violationOf(event, this.redact, this.proposed);
    if (!v) return undefined;
    // The engine repeats a violation when a step is retried; a reviewer needs each once.
    const key = JSON.stringify([v.pack, v.policy, v.urn, v.message]);
    if (this.seen.has(key)) return undefined;
    this.seen.add(key);
    this.violations.push(v);
    return v;
  }

  outcome(): PolicyOutcome {
    return {
      packs: this.run.packs.map((p) => ({ name: p.name, ...(p.advisoryOnly ? { proposed: true } : {}) })),
      violations: this.violations,
    };
  }
}

/** The Automation API options that make a preview or update check the packs. */
export function policyOptions(run: PolicyRun | undefined): { policyPacks?: string[]; policyPackConfigs?: string[] } {
  if (!run || run.packs.length === 0) return {};
  return { policyPacks: run.packs.map((p) => p.dir), policyPackConfigs: run.packs.map((p) => p.configFile) };
}
