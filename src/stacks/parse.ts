import { LineCounter, parseDocument, isNode } from 'yaml';
import type { z } from 'zod';
import type { StackDiagnostic } from './diagnostic.js';
import { stackFileSchema, stackIdPattern, type StackDefinition } from './schema.js';

export interface ParsedStack {
  definition?: StackDefinition;
  diagnostics: StackDiagnostic[];
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

type Issue = z.core.$ZodIssue;

/**
 * A union (config values) fails as a whole; the branch that got furthest into the value
 * says best what is wrong with it.
 */
function specific(issue: Issue): Issue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const best = [...issue.errors].sort((a, b) => (b[0]?.path.length ?? 0) - (a[0]?.path.length ?? 0))[0]!;
  const inner = best[0];
  return inner ? specific({ ...inner, path: [...issue.path, ...inner.path] } as Issue) : issue;
}

/**
 * Parses and validates the text of one stack file. Pure: the caller reads the file.
 * Every problem is returned, with the line it sits on where the YAML has one.
 */
export function parseStackFile(file: string, name: string, text: string): ParsedStack {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const diagnostics: StackDiagnostic[] = [];
  if (!stackIdPattern.test(name)) {
    diagnostics.push({ file, message: `the file name "${name}" is not a valid stack id (lower-case letters, digits, ".", "_" and "-")` });
  }
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      diagnostics.push({ file, line: lines.linePos(e.pos[0]).line, message: `invalid YAML: ${e.message.split('\n')[0]}` });
    }
    return { diagnostics };
  }
  const raw: unknown = doc.toJS() ?? {};
  const result = stackFileSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues.map(specific)) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      // Point at the offending key itself for unknown keys, else at the value.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const nodePath = keys.length > 0 ? [...path, keys[0]!] : path;
      const node = doc.getIn(nodePath, true);
      const pos = isNode(node) && node.range ? node.range[0] : undefined;
      const line = pos === undefined ? undefined : lines.linePos(pos).line;
      const message = keys.length > 0 ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
      diagnostics.push({ file, line, field: path.length > 0 ? fieldPath(path) : undefined, message });
    }
    return { diagnostics };
  }
  const data = result.data;
  return {
    definition: { ...data, name, file, project: data.project ?? data.program, stack: data.stack ?? name },
    diagnostics,
  };
}
