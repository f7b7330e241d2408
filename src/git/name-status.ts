/** One file that differs between two commits, as `git diff --name-status` reports it. */
export interface ChangedFile {
  /** Added, modified, deleted or renamed. Type changes count as modified, copies as added. */
  status: 'A' | 'M' | 'D' | 'R';
  /** Path relative to the folder git ran in, with `/` separators. For a rename: the new path. */
  path: string;
  /** For a rename: the old path. */
  oldPath?: string;
}

/**
 * Parses the output of `git diff --name-status -z`: NUL-separated fields, a status letter
 * (with a score for renames and copies) followed by one path, or two for renames and copies.
 * `-z` is used so that paths with spaces, quotes or non-ASCII characters arrive verbatim.
 */
export function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0');
  const changes: ChangedFile[] = [];
  let i = 0;
  while (i < fields.length) {
    const code = fields[i++];
    if (!code) continue;
    const letter = code[0];
    if (letter === 'R' || letter === 'C') {
      const from = fields[i++];
      const to = fields[i++];
      if (from === undefined || to === undefined) throw new Error(`truncated git name-status output after "${code}"`);
      changes.push(letter === 'R' ? { status: 'R', path: to, oldPath: from } : { status: 'A', path: to });
      continue;
    }
    const file = fields[i++];
    if (file === undefined) throw new Error(`truncated git name-status output after "${code}"`);
    // T (type change), U (unmerged) and X (unknown) all mean "this path's content differs".
    const status = letter === 'A' || letter === 'D' ? letter : 'M';
    changes.push({ status, path: file });
  }
  return changes;
}
