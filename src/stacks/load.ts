import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { GitopsError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import { formatDiagnostic, type StackDiagnostic } from './diagnostic.js';
import { parseStackFile } from './parse.js';
import type { StackDefinition } from './schema.js';
import { validateCatalog } from './validate.js';

export interface StackCatalog {
  stacks: StackDefinition[];
  byName: Map<string, StackDefinition>;
}

/** Program folders that hold an `index.ts`. */
export async function listPrograms(layout: RepoLayout): Promise<Set<string>> {
  if (!existsSync(layout.programsDir)) return new Set();
  const entries = await readdir(layout.programsDir, { withFileTypes: true });
  return new Set(entries.filter((e) => e.isDirectory() && existsSync(path.join(layout.programsDir, e.name, 'index.ts'))).map((e) => e.name));
}

/** Reads and checks every stack file; returns every problem found, across all files. */
export async function inspectStacks(layout: RepoLayout): Promise<{ stacks: StackDefinition[]; diagnostics: StackDiagnostic[] }> {
  const files = existsSync(layout.stacksDir)
    ? (await readdir(layout.stacksDir)).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml')).sort()
    : [];
  const stacks: StackDefinition[] = [];
  const diagnostics: StackDiagnostic[] = [];
  for (const f of files) {
    const rel = path.relative(layout.root, path.join(layout.stacksDir, f));
    if (f.endsWith('.yml')) {
      diagnostics.push({ file: rel, message: 'stack files end in .yaml; rename it' });
      continue;
    }
    const text = await readFile(path.join(layout.stacksDir, f), 'utf8');
    const parsed = parseStackFile(rel, f.slice(0, -'.yaml'.length), text);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.definition) stacks.push(parsed.definition);
  }
  diagnostics.push(...validateCatalog(stacks, await listPrograms(layout)));
  return { stacks, diagnostics };
}

/** Loads the catalogue, or throws one STACK_INVALID error listing every problem. */
export async function loadStacks(layout: RepoLayout): Promise<StackCatalog> {
  const { stacks, diagnostics } = await inspectStacks(layout);
  if (diagnostics.length > 0) {
    const cycle = diagnostics.find((d) => d.message.startsWith('dependency cycle'));
    throw new GitopsError({
      code: cycle && diagnostics.length === 1 ? 'DEPENDENCY_CYCLE' : 'STACK_INVALID',
      kind: 'user',
      message: `${diagnostics.length} problem${diagnostics.length > 1 ? 's' : ''} in stack definitions; nothing was run`,
      details: diagnostics.map(formatDiagnostic),
    });
  }
  return { stacks, byName: new Map(stacks.map((s) => [s.name, s])) };
}
