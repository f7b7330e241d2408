import { stackIdOf } from '../affected/locators.js';
import { type PreviousDefinition, stackIdentity } from '../affected/model.js';
import type { GitReader } from '../git/git.js';
import type { ChangedFile } from '../git/name-status.js';
import { formatDiagnostic } from '../stacks/diagnostic.js';
import type { StackCatalog } from '../stacks/load.js';
import { parseStackFile } from '../stacks/parse.js';
import type { StackDefinition } from '../stacks/schema.js';
import { stricterDefinition } from './stricter-definition.js';

/** The stack files at one commit, by Pulumi identity (`project/stack`) and by file. */
export interface IdentityIndex {
  commit: string;
  /** Each identity a stack file held at the commit, with that file's definition there. */
  byIdentity: ReadonlyMap<string, PreviousDefinition>;
  /** Each stack file at the commit; those that do not parse carry their problems. */
  byFile: ReadonlyMap<string, PreviousDefinition>;
  /** Stack files whose content at the commit differs from the catalogue's (or that exist on one side only). */
  touched: ReadonlySet<string>;
}

/**
 * The stack files at `commit`, by identity. `changes` are the files that differ from `commit` to
 * the catalogue's commit: a stack file they leave alone is the catalogue's own (same text, same
 * identity), and only the others are read at `commit`, one git process each.
 */
export async function identityIndexAt(
  git: GitReader,
  commit: string,
  catalog: StackCatalog,
  stacksDir: string,
  changes: readonly ChangedFile[],
): Promise<IdentityIndex> {
  const touched = new Set<string>();
  const before = new Set<string>();
  for (const c of changes) {
    for (const f of [c.path, c.oldPath]) if (f !== undefined && stackIdOf(f, stacksDir) !== undefined) touched.add(f);
    const old = c.status === 'A' ? undefined : (c.oldPath ?? c.path);
    if (old !== undefined && stackIdOf(old, stacksDir) !== undefined) before.add(old);
  }
  const byFile = new Map<string, PreviousDefinition>();
  for (const def of catalog.stacks) if (!touched.has(def.file)) byFile.set(def.file, { file: def.file, definition: def, problems: [] });
  await Promise.all(
    [...before].map(async (file) => {
      const text = await git.show(commit, file);
      if (text === undefined) return;
      const parsed = parseStackFile(file, stackIdOf(file, stacksDir)!, text);
      byFile.set(file, { file, text, definition: parsed.definition, problems: parsed.diagnostics.map(formatDiagnostic) });
    }),
  );
  const byIdentity = new Map<string, PreviousDefinition>();
  for (const entry of [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file)))
    if (entry.definition && !byIdentity.has(stackIdentity(entry.definition))) byIdentity.set(stackIdentity(entry.definition), entry);
  return { commit, byIdentity, byFile, touched };
}

/**
 * A head stack's protected side at the index's commit, looked up by its identity, whichever file
 * held it there:
 * - undefined: the same file held the same identity with the same text (nothing to protect);
 * - the identity's definition there, when the commit knows the identity (a file that now claims
 *   another file's identity gets that identity's rules);
 * - for an identity the commit does not know, the stricter of the identities it replaces (those
 *   its file, or the file it was renamed from, held there): a new name never sheds a stack's
 *   rules. A replaced file that cannot be read there comes back with its problems (fail closed);
 * - null: a new stack, which replaces nothing.
 */
export function definitionByIdentity(
  index: IdentityIndex,
  def: StackDefinition,
  renamedFrom?: string,
): PreviousDefinition | null | undefined {
  const known = index.byIdentity.get(stackIdentity(def));
  if (known) return known.file === def.file && !index.touched.has(def.file) ? undefined : known;
  const replaced = [...new Set([def.file, ...(renamedFrom ? [renamedFrom] : [])])].flatMap((f) => index.byFile.get(f) ?? []);
  const unreadable = replaced.find((r) => !r.definition);
  if (unreadable) return unreadable;
  if (replaced.length === 0) return null;
  const [first, ...rest] = replaced;
  return { ...first!, definition: rest.reduce((a, r) => stricterDefinition(a, r.definition!), first!.definition!) };
}
