/** One problem found in a stack file. */
export interface StackDiagnostic {
  /** The stack file, relative to the repository root. */
  file: string;
  /** 1-based line, when the problem has a place in the file. */
  line?: number;
  /** The field, as a dotted path (`config.app:token`, `dependsOn[1]`). */
  field?: string;
  message: string;
}

export function formatDiagnostic(d: StackDiagnostic): string {
  const where = d.line === undefined ? d.file : `${d.file}:${d.line}`;
  return d.field ? `${where}: ${d.field}: ${d.message}` : `${where}: ${d.message}`;
}
