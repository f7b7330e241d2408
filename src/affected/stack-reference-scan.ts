/** A `new StackReference(...)` in a source file. */
export interface StackReferenceSite {
  /** The referenced stack name when it is a string literal (`org/project/stack`); undefined otherwise. */
  name?: string;
  line: number;
}

// `new pulumi.StackReference(` or `new StackReference(`, then a literal resource name, then
// optionally `{ name: "..." }`, which is the stack name when given.
const site =
  /\bnew\s+(?:[A-Za-z_$][\w$]*\s*\.\s*)*StackReference\s*\(\s*(?:(['"`])([^'"`$\n]*)\1(?:\s*,\s*\{[^{}]*?\bname\s*:\s*(['"`])([^'"`$\n]*)\3)?)?/g;

/** Every StackReference constructed in a file. Pure. */
export function findStackReferences(text: string): StackReferenceSite[] {
  if (!text.includes('StackReference')) return [];
  return [...text.matchAll(site)].map((m) => ({ name: m[4] ?? m[2], line: text.slice(0, m.index).split('\n').length }));
}
