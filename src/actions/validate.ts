import path from 'node:path';
import { checkProgramForms } from '../engine/program-forms.js';
import { GitopsError } from '../errors/gitops-error.js';
import { policyProblems } from '../policy/validate-packs.js';
import type { RepoLayout } from '../repo/layout.js';
import { formatDiagnostic, type StackDiagnostic } from '../stacks/diagnostic.js';
import { inspectStacks } from '../stacks/load.js';
import type { StackDefinition } from '../stacks/schema.js';

export interface Validation {
  valid: boolean;
  /** The stacks that parsed. */
  stacks: string[];
  /** Every problem in every file. */
  problems: StackDiagnostic[];
}

/**
 * `gitops validate`: reads every stack file and the policy settings, and reports every problem
 * at once. With `programs` (the job's environment), also loads each program in a program host
 * process of its own, without the engine, and reports those that cannot run.
 */
export async function validate(layout: RepoLayout, options: { programs?: NodeJS.ProcessEnv } = {}): Promise<Validation> {
  const { stacks, diagnostics } = await inspectStacks(layout);
  // A program already refused (unknown, broken Pulumi.yaml) is not loaded as well.
  const programsDir = path.relative(layout.root, layout.programsDir).split(path.sep).join('/');
  const refused = (s: StackDefinition) =>
    diagnostics.some((d) => (d.file === s.file && d.field === 'program') || d.file.startsWith(`${programsDir}/${s.program}/`));
  const loadable = stacks.filter((s) => !refused(s));
  const programs = options.programs ? await checkProgramForms(layout, loadable, options.programs) : [];
  const problems = [...diagnostics, ...programs, ...(await policyProblems(layout.root))];
  return { valid: problems.length === 0, stacks: stacks.map((s) => s.name), problems };
}

/** The error of an invalid repository: STACK_INVALID, each problem a detail line naming its file. */
export function invalidStacksError(validation: Validation): GitopsError {
  const n = validation.problems.length;
  return new GitopsError({
    code: 'STACK_INVALID',
    kind: 'user',
    message: `${n} problem${n > 1 ? 's' : ''} in stack definitions`,
    details: validation.problems.map(formatDiagnostic),
  });
}
