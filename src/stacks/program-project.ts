import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RepoLayout } from '../repo/layout.js';
import type { StackDiagnostic } from './diagnostic.js';
import type { ProgramProject, StackDefinition } from './schema.js';

/** Each program folder: what it says about itself, or the problems that keep it from running. */
export type ProgramCatalog = ReadonlyMap<string, ProgramProject | StackDiagnostic[]>;

const ENTRY_FILES = ['index.ts', 'index.js'];
const PROJECT_FILES = ['Pulumi.yaml', 'Pulumi.yml'];
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The file a stack's program starts from. */
export function programEntry(layout: Pick<RepoLayout, 'programsDir'>, def: Pick<StackDefinition, 'program' | 'programProject'>): string {
  return path.join(layout.programsDir, def.program, def.programProject?.main ?? 'index.ts');
}

/** The entry file in `dir` (a folder's index.ts or index.js), relative to `dir`; undefined if none. */
function indexIn(dir: string): string | undefined {
  return ENTRY_FILES.find((f) => existsSync(path.join(dir, f)));
}

/**
 * Reads one program folder. Returns the program, or the problems that keep it from running:
 * an unreadable or invalid Pulumi.yaml, a `main` outside the folder or missing, another runtime,
 * no entry file.
 */
export function readProgramProject(programsDir: string, program: string, relDir: string): ProgramProject | StackDiagnostic[] {
  const dir = path.join(programsDir, program);
  const projectFile = PROJECT_FILES.find((f) => existsSync(path.join(dir, f)));
  if (!projectFile) {
    const main = indexIn(dir);
    return main ? { program, main } : [];
  }
  const file = `${relDir}/${program}/${projectFile}`;
  const problem = (message: string): StackDiagnostic[] => [{ file, message }];
  let data: unknown;
  try {
    data = parseYaml(readFileSync(path.join(dir, projectFile), 'utf8'), { maxAliasCount: 100 });
  } catch (err) {
    return problem(`not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return problem('a Pulumi project file is a mapping (name:, runtime:, main:...)');
  const project = data as Record<string, unknown>;
  const runtime =
    typeof project.runtime === 'object' && project.runtime !== null ? (project.runtime as { name?: unknown }).name : project.runtime;
  if (runtime !== undefined && runtime !== 'nodejs') {
    return problem(`runtime "${String(runtime)}": only Node.js programs (runtime: nodejs) run here`);
  }
  if (project.name !== undefined && (typeof project.name !== 'string' || !NAME.test(project.name))) {
    return problem('name: a Pulumi project name is 1 to 100 letters, digits, "_", "." or "-"');
  }
  if (project.config !== undefined && (project.config === null || typeof project.config !== 'object' || Array.isArray(project.config))) {
    return problem('config: a mapping of config keys to values or declarations');
  }
  const main = entryOf(dir, project.main);
  if (typeof main !== 'string') return problem(main.problem);
  return {
    program,
    main,
    ...(project.name !== undefined ? { name: project.name as string } : {}),
    ...(project.config !== undefined ? { config: project.config as Record<string, unknown> } : {}),
  };
}

/** The entry named by `main` (a file, or a folder with an index), inside the program's folder. */
function entryOf(dir: string, main: unknown): string | { problem: string } {
  if (main === undefined) return indexIn(dir) ?? { problem: 'the program has no index.ts or index.js, and main: does not name its entry' };
  if (typeof main !== 'string' || main.trim() === '') return { problem: 'main: a path inside the program folder' };
  const target = path.resolve(dir, main);
  const rel = path.relative(dir, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return { problem: `main: "${main}" is outside the program folder` };
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return { problem: `main: "${main}" does not exist` };
  if (stat.isFile()) return rel.split(path.sep).join('/');
  const index = stat.isDirectory() ? indexIn(target) : undefined;
  if (!index) return { problem: `main: the folder "${main}" has no index.ts or index.js` };
  return [rel, index].filter(Boolean).join('/').split(path.sep).join('/');
}
