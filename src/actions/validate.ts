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

/** `gitops validate`: reads every stack file and reports every problem at once. */
export async function validate(layout: RepoLayout): Promise<Validation> {
  const { stacks, diagnostics } = await inspectStacks(layout);
  return { valid: diagnostics.length === 0, stacks: stacks.map((s) => s.name), problems: diagnostics };
}
