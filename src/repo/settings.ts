import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { GitopsError, userError } from '../errors/gitops-error.js';

/** The driver's own settings in the root Pulumi.yaml, under `gitops:`. */
export interface RepoSettings {
  /** `gitops.affected.typeImports`: false leaves `import type` chains out of affected stacks. Default: true. */
  typeImports: boolean;
}

const defaults: RepoSettings = { typeImports: true };

/**
 * Reads `gitops:` of the root Pulumi.yaml. The file is parsed only when it names a setting,
 * so commands that never need one pay for no YAML parse. Throws a USAGE error naming the
 * file and the key for a value of the wrong type.
 */
export function readRepoSettings(root: string): RepoSettings {
  const file = path.join(root, 'Pulumi.yaml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return defaults;
  }
  if (!text.includes('typeImports')) return defaults;
  let doc: { gitops?: { affected?: { typeImports?: unknown } } } | null;
  try {
    doc = parse(text) as typeof doc;
  } catch (err) {
    throw new GitopsError({ code: 'USAGE', kind: 'user', message: `${file}: cannot read it: ${(err as Error).message}`, cause: err });
  }
  const typeImports = doc?.gitops?.affected?.typeImports;
  if (typeImports !== undefined && typeof typeImports !== 'boolean')
    throw userError('USAGE', `${file}: gitops.affected.typeImports must be true or false, not ${JSON.stringify(typeImports)}`);
  return { typeImports: typeImports ?? true };
}
