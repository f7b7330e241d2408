import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import { registerTypeScript } from './typescript-loader.js';

const loaded = new Map<string, Promise<PulumiFn>>();

/**
 * Imports `programs/<program>/index.ts` as an inline program. TypeScript is loaded directly
 * (tsx's loader is registered on first use), so users have no build step. The module's default
 * export, or its export named `program`, is the Pulumi program.
 */
export function loadProgram(layout: RepoLayout, program: string): Promise<PulumiFn> {
  const file = path.join(layout.programsDir, program, 'index.ts');
  let pending = loaded.get(file);
  if (!pending) {
    pending = importProgram(file, program);
    loaded.set(file, pending);
  }
  return pending;
}

async function importProgram(file: string, program: string): Promise<PulumiFn> {
  let mod: Record<string, unknown>;
  try {
    await registerTypeScript();
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new GitopsError({
      code: 'PROGRAM_ERROR',
      kind: 'user',
      message: `programs/${program}/index.ts: cannot load it: ${(err as Error).message}`,
      cause: err,
    });
  }
  const fn = mod.default ?? mod.program;
  if (typeof fn !== 'function') {
    throw new GitopsError({
      code: 'PROGRAM_ERROR',
      kind: 'user',
      message: `programs/${program}/index.ts: export the Pulumi program as the default export (an async function)`,
    });
  }
  return fn as PulumiFn;
}
