import { type Document, isNode, type LineCounter } from 'yaml';
import type { z } from 'zod';
import type { StackDiagnostic } from './diagnostic.js';
import { defaultStackFileLimits, formatBytes, type StackFileLimits } from './limits.js';
import { fieldOf, readYaml } from './read-yaml.js';
import { type StackDefinition, type StackFile, stackFileSchema, stackIdPattern } from './schema.js';
import { readSimpleYaml } from './simple-yaml.js';

/** What a file that failed its schema still says about other files: its program and its dependencies. */
export interface StackLinks {
  name: string;
  file: string;
  /** Undefined when the field is missing or not a string. */
  program?: string;
  /** Its entries in place; an entry that is not a string is undefined. */
  dependsOn: (string | undefined)[];
}

export interface ParsedStack {
  definition?: StackDefinition;
  diagnostics: StackDiagnostic[];
  /** When the schema refused the file: its links as far as they can be read, so checks across files still run on them. */
  links?: StackLinks;
}

/** The program and dependencies a refused file names, taking each field only where it has the right type. */
function linksOf(file: string, name: string, value: unknown): StackLinks {
  const fields = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const deps = Array.isArray(fields.dependsOn) ? fields.dependsOn : [];
  return {
    name,
    file,
    ...(typeof fields.program === 'string' ? { program: fields.program } : {}),
    dependsOn: deps.map((d) => (typeof d === 'string' ? d : undefined)),
  };
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
 * Every problem is returned, with the line it sits on where the YAML has one. Files past
 * `limits` are refused with a message naming the limit, never read into memory whole.
 */
export function parseStackFile(
  file: string,
  name: string,
  text: string,
  limits: StackFileLimits = defaultStackFileLimits,
  /** The Pulumi project name a program's own Pulumi.yaml gives, when the stack file names none. */
  projectOf: (program: string) => string | undefined = () => undefined,
): ParsedStack {
  const diagnostics: StackDiagnostic[] = [];
  if (!stackIdPattern.test(name)) {
    diagnostics.push({ file, message: `the file name "${name}" is not a valid stack id (lower-case letters, digits, ".", "_" and "-")` });
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    diagnostics.push({
      file,
      message: `the file is ${bytes} bytes; stack files are limited to ${formatBytes(limits.maxBytes)} (maxBytes)`,
    });
    return { diagnostics };
  }
  // Most stack files are plain `key: value` lines: read those without the full parser, which
  // is then only needed for the rest, and for the line numbers of schema errors.
  const simple = readSimpleYaml(text);
  const quick = simple === undefined ? undefined : stackFileSchema.safeParse(simple);
  if (quick?.success) return complete(file, name, quick.data, diagnostics, projectOf);
  const read = readYaml(text, limits);
  if (read.problems.length > 0) {
    diagnostics.push(...read.problems.map((p) => ({ file, ...p })));
    return { diagnostics };
  }
  const result = stackFileSchema.safeParse(read.value ?? {});
  if (!result.success) {
    diagnostics.push(...schemaDiagnostics(file, result.error.issues, read.doc!, read.lines));
    return { diagnostics, links: linksOf(file, name, read.value) };
  }
  return complete(file, name, result.data, diagnostics, projectOf);
}

/** The definition with its defaults, after the checks that need them. */
function complete(
  file: string,
  name: string,
  data: StackFile,
  diagnostics: StackDiagnostic[],
  projectOf: (program: string) => string | undefined,
): ParsedStack {
  if (data.stack === undefined && name.length > 100) {
    diagnostics.push({
      file,
      field: 'stack',
      message: 'the Pulumi stack name defaults to the file name, which is longer than the 100 characters Pulumi allows; set stack:',
    });
  }
  const project = data.project ?? projectOf(data.program) ?? data.program;
  return { definition: { ...data, name, file, project, stack: data.stack ?? name }, diagnostics };
}

function schemaDiagnostics(file: string, issues: readonly Issue[], doc: Document.Parsed, lines: LineCounter): StackDiagnostic[] {
  return issues.map(specific).map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    // Point at the offending key itself for unknown keys, else at the value.
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const nodePath = keys.length > 0 ? [...path, keys[0]!] : path;
    const node = doc.getIn(nodePath, true);
    const pos = isNode(node) && node.range ? node.range[0] : undefined;
    const line = pos === undefined ? undefined : lines.linePos(pos).line;
    const message = keys.length > 0 ? `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return { file, line, field: fieldOf(path), message };
  });
}
