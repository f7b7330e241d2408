import path from 'node:path';

/** How a module is loaded: the runtime picks `exports` conditions by it (`import` or `require`). */
export type ImportKind = 'import' | 'require';

/** A module specifier written as a literal in a source file. */
export interface ImportSpecifier {
  specifier: string;
  kind: ImportKind;
  /** `import type … from` or `export type … from`: erased at run time (tsx, Node's type stripping). */
  typeOnly?: boolean;
}

/** A file a program reads at run time, named by a literal. */
export interface ReadSite {
  /** The literal as written. */
  literal: string;
  /** `url`: `new URL(literal, import.meta.url)`, relative to the file. `fs`: `readFile(Sync)(literal)`, relative to the working folder. */
  how: 'url' | 'fs';
}

/** What one pass over a source file finds. */
export interface SourceScan {
  imports: ImportSpecifier[];
  reads: ReadSite[];
}

/** Spaces and comments, wherever a space may be. */
const gap = String.raw`(?:\s|\/\*[\s\S]*?\*\/|\/\/[^\n]*)*`;

/**
 * One pass over a source file that skips comments and ordinary strings and captures:
 * - the specifier of every static import, re-export (`export ... from`), side-effect import,
 *   dynamic `import('...')` with a literal, and `require('...')`;
 * - `new URL('literal', import.meta.url)` and `readFile('literal')` / `readFileSync('literal')`.
 *
 * A regular expression rather than the TypeScript parser: it is two orders of magnitude
 * faster, and where it errs (a specifier-looking string in odd syntax) it errs towards one
 * edge too many, never too few for the forms above.
 *
 * Comments may sit anywhere a space may, also between `import(`/`require(` and the
 * specifier (`import(/* webpackChunkName: "x" *\/ '../x')`, a line comment on its own line).
 *
 * `import type` and `export type ... from` are marked `typeOnly`. They count as imports by
 * default: at run time tsx erases them, so a change to a types-only module cannot change what
 * a program deploys; but a type change can make the program fail to type-check in CI, and a
 * preview too many is cheap where a missed one is a skipped deploy. The import graph leaves
 * them out when asked to (`typeImports: false`). An import that names values and types
 * (`import { type A, b }`) is a value import.
 */
const tokens = new RegExp(
  [
    String.raw`\/\/[^\n]*`,
    String.raw`\/\*[\s\S]*?\*\/`,
    `${String.raw`\bnew\s+URL\s*\(\s*(?:(['"])([^'"\n]+)\1|`}\`([^\`$\\n]+)\`${String.raw`)\s*,\s*import\.meta\.url\s*\)`}`,
    `${String.raw`\breadFile(?:Sync)?\s*\(\s*(?:(['"])([^'"\n]+)\4|`}\`([^\`$\\n]+)\`${String.raw`)\s*[,)]`}`,
    `${String.raw`\b(?:from|import)`}${gap}${String.raw`(['"])([^'"\n]+)\7`}`,
    `${String.raw`\b(import|require)\s*\(`}${gap}${String.raw`(?:(['"])([^'"\n]+)\10|`}\`([^\`$\\n]+)\`)${gap}[,)]`,
    String.raw`'(?:\\.|[^'\\\n])*'`,
    String.raw`"(?:\\.|[^"\\\n])*"`,
    '`(?:\\\\.|[^`\\\\])*`',
    // Tried only where nothing above matched: at `import type`/`export type`, whose `from` would otherwise match alone.
    `${String.raw`\b(?:import|export)\s+type\s+(?:\{[^}]*\}|\*\s*as\s+[\w$]+|[\w$]+)`}${gap}from${gap}${String.raw`(['"])([^'"\n]+)\13`}`,
  ].join('|'),
  'g',
);

/** Every literal import and read of a TypeScript or JavaScript file, in order, without duplicates. */
export function scanSource(text: string): SourceScan {
  const scan: SourceScan = { imports: [], reads: [] };
  // Most files of a program import nothing; skip the scan for them. (Re-exports have only "from".)
  if (!text.includes('import') && !text.includes('from') && !text.includes('require') && !text.includes('readFile')) return scan;
  const seen = new Set<string>();
  for (const m of text.matchAll(tokens)) {
    const url = m[2] ?? m[3];
    const fs = m[5] ?? m[6];
    const spec = m[8] ?? m[11] ?? m[12] ?? m[14];
    const read: ReadSite | undefined =
      url !== undefined ? { literal: url, how: 'url' } : fs !== undefined ? { literal: fs, how: 'fs' } : undefined;
    if (read) {
      const key = `${read.how}\0${read.literal}`;
      if (!seen.has(key)) scan.reads.push(read);
      seen.add(key);
    } else if (spec !== undefined) {
      const kind: ImportKind = m[9] === 'require' ? 'require' : 'import';
      const typeOnly = m[14] !== undefined;
      const key = `${kind}\0${typeOnly}\0${spec}`;
      if (!seen.has(key)) scan.imports.push(typeOnly ? { specifier: spec, kind, typeOnly } : { specifier: spec, kind });
      seen.add(key);
    }
  }
  return scan;
}

/** The module specifiers a file imports, in order, without duplicates. */
export function parseImports(text: string): string[] {
  return [...new Set(scanSource(text).imports.map((i) => i.specifier))];
}

/**
 * The repository path a read names, or undefined when it leaves the repository or is not a
 * relative path. A URL is relative to the file that builds it; a plain `fs` path to the
 * working folder, which is the repository root when `gitops` runs programs. A trailing `/`
 * (a folder, e.g. a Helm chart) is dropped: a read matches its path and everything below.
 */
export function readTarget(importer: string, read: ReadSite): string | undefined {
  const literal = read.literal.split(/[?#]/)[0]!;
  if (literal === '' || /^[a-z][a-z0-9+.-]*:/i.test(literal) || literal.startsWith('/') || literal.startsWith('\\')) return undefined;
  const joined = read.how === 'url' ? path.posix.join(path.posix.dirname(importer), literal) : path.posix.normalize(literal);
  const clean = joined.replace(/\/+$/, '');
  return clean === '' || clean === '.' || clean === '..' || clean.startsWith('../') ? undefined : clean;
}

/** Extensions whose files are parsed for imports. Others (JSON, text) are leaves of the graph. */
const sourceExtension = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/** Files parsed for imports: JavaScript and TypeScript sources, not declaration files. */
export function isSourceFile(file: string): boolean {
  return sourceExtension.test(file) && !file.endsWith('.d.ts');
}
