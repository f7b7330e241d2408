import { spawn } from 'node:child_process';
import path from 'node:path';
import { mapLimit } from '../lib/map-limit.js';
import { hostPluginDir } from '../program-host/plugin-dir.js';
import { encodeHostSettings, type FormCheckRequest, type FormCheckResult } from '../program-host/settings.js';
import type { RepoLayout } from '../repo/layout.js';
import type { StackDiagnostic } from '../stacks/diagnostic.js';
import { programEntry } from '../stacks/program-project.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';
import { detectSandbox, READONLY_VARIABLE, SANDBOX_VARIABLE } from './program-sandbox.js';
import { stackEnvironment } from './stack-env.js';

/** How long one program may take to load before it counts as hanging. */
const LOAD_TIMEOUT_MS = 60_000;

/** Stands in for a secret config value, which validate never decrypts. */
const SECRET_PLACEHOLDER = '[secret]';

/** A config key as the engine names it: `namespace:key`, the project's own namespace when it has none. */
function qualified(key: string, project: string): string {
  return key.includes(':') ? key : `${project}:${key}`;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The config a program sees when it loads as `def`: its Pulumi.yaml defaults, then the stack
 * file's values; secret values as a placeholder, flagged secret. Pure.
 */
export function checkConfig(def: StackDefinition): Pick<FormCheckRequest, 'config' | 'secretKeys'> {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, declared] of Object.entries(def.programProject?.config ?? {})) {
    const value =
      declared !== null && typeof declared === 'object' && !Array.isArray(declared)
        ? (declared as { default?: unknown }).default
        : declared;
    if (value !== undefined) config[qualified(key, def.project)] = text(value);
  }
  for (const [key, value] of Object.entries(def.config)) {
    const name = qualified(key, def.project);
    if (isSecureValue(value)) {
      config[name] = SECRET_PLACEHOLDER;
      secretKeys.push(name);
    } else config[name] = text(value);
  }
  return { config, secretKeys };
}

/**
 * `gitops validate`: loads each program once, as the first stack that runs it, in a program
 * host process of its own (the same host and confinement a run uses, with the stack's
 * allowlisted environment and no credentials at all), never in the driver. Returns one problem
 * per program that cannot run, naming its entry file.
 */
export async function checkProgramForms(
  layout: RepoLayout,
  stacks: readonly StackDefinition[],
  jobEnv: NodeJS.ProcessEnv,
  concurrency = 2,
): Promise<StackDiagnostic[]> {
  const firstStack = new Map<string, StackDefinition>();
  for (const s of stacks) if (!firstStack.has(s.program)) firstStack.set(s.program, s);
  const sandbox = await detectSandbox(jobEnv);
  const results = await mapLimit([...firstStack.values()], concurrency, (def) => loadOnce(layout, def, jobEnv, sandbox));
  return results.flatMap((r) => (r ? [r] : []));
}

async function loadOnce(
  layout: RepoLayout,
  def: StackDefinition,
  jobEnv: NodeJS.ProcessEnv,
  sandbox: string,
): Promise<StackDiagnostic | undefined> {
  const entry = programEntry(layout, def);
  const file = path.relative(layout.root, entry).split(path.sep).join('/');
  const check: FormCheckRequest = { resultFd: RESULT_FD, project: def.project, stack: def.stack, ...checkConfig(def) };
  // The stack's allowlist, less every credential: loading needs none, and the program sees none.
  const { env, hidden } = stackEnvironment(def, jobEnv, 'file://');
  for (const name of hidden) delete env[name];
  const outcome = await runHost(layout, {
    ...env,
    ...encodeHostSettings({ program: entry, cwd: layout.root, check }),
    [SANDBOX_VARIABLE]: sandbox,
    [READONLY_VARIABLE]: layout.root,
  });
  if (outcome.result?.ok) return undefined;
  const problem = outcome.result?.problem ?? outcome.failure;
  return { file, message: `the program ${def.program} cannot run (loaded as stack ${def.name}): ${problem}` };
}

/** The pipe the host writes its result to. */
const RESULT_FD = 3;

/** Runs the host to its end (or the time limit): its result, else what went wrong. */
function runHost(layout: RepoLayout, env: Record<string, string>): Promise<{ result?: FormCheckResult; failure: string }> {
  const plugins = hostPluginDir();
  return new Promise((resolve) => {
    const child = spawn(path.join(plugins, 'gitops-confine'), [process.execPath, path.join(plugins, '..', 'program-host.js')], {
      cwd: layout.root,
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let written = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
    });
    const results = child.stdio[RESULT_FD] as NodeJS.ReadableStream;
    results.setEncoding('utf8');
    results.on('data', (d: string) => {
      written = (written + d).slice(0, 100_000);
    });
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const parsed = (): FormCheckResult | undefined => {
      try {
        return JSON.parse(written.split('\n')[0]!) as FormCheckResult;
      } catch {
        return undefined;
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      resolve({ failure: `it did not finish loading within ${LOAD_TIMEOUT_MS / 1000} s` });
    }, LOAD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ failure: `the program host did not start: ${err.message}` });
    });
    // Whatever the program left running in its group would hold the pipes open.
    child.on('exit', killGroup);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stderr.trim().split('\n').slice(-3).join('\n');
      resolve({ result: parsed(), failure: last || `the program host exited with code ${code}` });
    });
  });
}
