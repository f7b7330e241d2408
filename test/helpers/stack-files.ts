/** Stack files and programs for in-process tests: text in, a catalogue out. */

/** A minimal program: the in-process tests never run it. */
export const emptyProgram = 'export default async function program() {}\n';

/** A stack file's YAML from its fields. */
export function stackFile(fields: {
  program?: string;
  dependsOn?: string[];
  policy?: 'detect' | 'remediate';
  maxChanges?: number;
  approvals?: number;
  allowDestroy?: boolean;
}): string {
  const lines = [`program: ${fields.program ?? 'app'}`];
  if (fields.dependsOn?.length) lines.push(`dependsOn: [${fields.dependsOn.join(', ')}]`);
  if (fields.policy || fields.maxChanges !== undefined) {
    lines.push('drift:');
    if (fields.policy) lines.push(`  policy: ${fields.policy}`);
    if (fields.maxChanges !== undefined) lines.push(`  maxChanges: ${fields.maxChanges}`);
  }
  if (fields.approvals !== undefined) lines.push('approvals:', `  required: ${fields.approvals}`);
  if (fields.allowDestroy !== undefined) lines.push(`allowDestroy: ${fields.allowDestroy}`);
  return `${lines.join('\n')}\n`;
}

/** The files of a repository: Pulumi.yaml, one program `app`, and the given stacks. */
export function repoFiles(stacks: Record<string, string>): Record<string, string> {
  return {
    'Pulumi.yaml': 'name: test\nruntime: nodejs\n',
    'programs/app/index.ts': emptyProgram,
    ...Object.fromEntries(Object.entries(stacks).map(([name, text]) => [`stacks/${name}.yaml`, text])),
  };
}

/** The layered platform most in-process tests use: network <- db <- app, and docs on its own. */
export function platformFiles(): Record<string, string> {
  return repoFiles({
    network: stackFile({}),
    db: stackFile({ dependsOn: ['network'] }),
    app: stackFile({ dependsOn: ['db'] }),
    docs: stackFile({}),
  });
}
