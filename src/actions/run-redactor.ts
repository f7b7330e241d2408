import { learnCredentialEnv } from '../secrets/credential-env.js';
import { Redactor } from '../secrets/redact.js';

/**
 * The redactor of a run, `given` or a new one, knowing the credentials in `env` before anything
 * runs, so that nothing the run prints can carry them.
 */
export function runRedactor(env: NodeJS.ProcessEnv, given?: Redactor): Redactor {
  const redactor = given ?? new Redactor();
  learnCredentialEnv(redactor, env);
  return redactor;
}
