import type { StackDiagnostic } from './diagnostic.js';
import { envDiagnostics } from './env-rules.js';
import { findCycles } from './graph.js';
import type { StackLinks } from './parse.js';
import type { ProgramCatalog } from './program-project.js';
import { isSecureValue, type StackDefinition } from './schema.js';

/**
 * Rules across files: programs exist, dependencies exist (also for files the schema refused),
 * no cycles, no two files claim the same Pulumi stack, secure values have their salt, no stack
 * asks for the driver's tokens or another stack's passphrase in `env`.
 */
export function validateCatalog(
  stacks: readonly StackDefinition[],
  programs: ProgramCatalog,
  /** Files the schema refused: their program and dependencies are checked too, and their names are known stacks. */
  refused: readonly StackLinks[] = [],
): StackDiagnostic[] {
  const diagnostics: StackDiagnostic[] = [];
  const brokenPrograms = new Set<string>();
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const known = new Set([...byName.keys(), ...refused.map((r) => r.name)]);
  const owners = new Map<string, string>();
  const checkLinks = (s: StackLinks): void => {
    const program = s.program === undefined ? undefined : programs.get(s.program);
    if (s.program !== undefined && !program) {
      diagnostics.push({
        file: s.file,
        field: 'program',
        message: `unknown program "${s.program}": there is no program folder programs/${s.program} with an index.ts, index.js or Pulumi.yaml`,
      });
    } else if (Array.isArray(program) && !brokenPrograms.has(s.program!)) {
      // Once per program, however many stacks run it.
      brokenPrograms.add(s.program!);
      diagnostics.push(...program);
    }
    s.dependsOn.forEach((dep, i) => {
      if (dep === undefined) return;
      if (dep === s.name) diagnostics.push({ file: s.file, field: `dependsOn[${i}]`, message: 'a stack cannot depend on itself' });
      else if (!known.has(dep))
        diagnostics.push({ file: s.file, field: `dependsOn[${i}]`, message: `unknown stack "${dep}": there is no stacks/${dep}.yaml` });
    });
  };
  for (const r of refused) checkLinks(r);
  for (const s of stacks) {
    checkLinks(s);
    const pulumiId = `${s.project}/${s.stack}`;
    const owner = owners.get(pulumiId);
    if (owner) diagnostics.push({ file: s.file, message: `Pulumi stack ${pulumiId} is also declared by ${owner}` });
    else owners.set(pulumiId, s.file);
    const secureKeys = Object.entries(s.config)
      .filter(([, v]) => isSecureValue(v))
      .map(([k]) => k);
    if (secureKeys.length > 0 && !s.encryptionSalt) {
      diagnostics.push({
        file: s.file,
        field: 'encryptionSalt',
        message: `config ${secureKeys.join(', ')} is encrypted, so encryptionSalt is required (copy encryptionsalt from the Pulumi.<stack>.yaml that encrypted it)`,
      });
    }
  }
  for (const cycle of findCycles(
    stacks.map((s) => ({ name: s.name, dependsOn: s.dependsOn.filter((d) => byName.has(d) && d !== s.name) })),
  )) {
    const first = byName.get(cycle[0]!)!;
    diagnostics.push({ file: first.file, field: 'dependsOn', message: `dependency cycle: ${[...cycle, cycle[0]].join(' -> ')}` });
  }
  diagnostics.push(...envDiagnostics(stacks));
  return diagnostics;
}
