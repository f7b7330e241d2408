import { policyProblems } from '../policy/validate-packs.js';
import type { RepoLayout } from '../repo/layout.js';
import type { StackDiagnostic } from '../stacks/diagnostic.js';
import { inspectStacks } from '../stacks/load.js';

export interface Validation {
  valid: boolean;
  /** The stacks that parsed. */
  stacks: string[];
  /** Every problem in every file. */
  problems: StackDiagnostic[];
}

/** `gitops validate`: reads every stack file and the policy settings, and reports every problem at once. */
export async function validate(layout: RepoLayout): Promise<Validation> {
  const { stacks, diagnostics } = await inspectStacks(layout);
  const problems = [...diagnostics, ...(await policyProblems(layout.root))];
  return { valid: problems.length === 0, stacks: stacks.map((s) => s.name), problems };
}
