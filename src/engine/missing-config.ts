import { GitopsError } from '../errors/gitops-error.js';
import type { StackDefinition } from '../stacks/schema.js';

/**
 * The SDK's `ConfigMissingError` ("Missing required configuration variable 'ns:key'", then a
 * `pulumi config set` command) as an error that points at the stack file and `gitops config
 * set`: the stack file is where config lives here, and `pulumi` need not be installed.
 * Undefined for any other failure.
 */
export function missingConfigError(def: Pick<StackDefinition, 'name' | 'file'>, message: string, cause: unknown): GitopsError | undefined {
  const m = /Missing required configuration variable '([^']+)'(?:[\s\S]*?pulumi config set( --secret)?)?/.exec(message);
  if (!m) return undefined;
  const key = m[1]!;
  const secret = m[2] !== undefined;
  return new GitopsError({
    code: 'PROGRAM_ERROR',
    kind: 'user',
    message: `stack ${def.name}: the program needs config value ${key}, which the stack file ${def.file} does not set`,
    hint: `add it under config: in ${def.file}, or run: gitops config set ${def.name} ${key} ${secret ? '- --secret (the value on stdin)' : 'VALUE'}`,
    cause,
  });
}
