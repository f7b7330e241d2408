import { writeSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { programForm } from './load-program.js';
import type { Sdk } from './sdk.js';
import type { FormCheckRequest, FormCheckResult } from './settings.js';
import { registerTypeScript } from './typescript-loader.js';

/** Resources registered while the module loads get these: enough for top-level code to go on. */
const mocks = {
  newResource: (args: { name: string; inputs: Record<string, unknown> }) => ({ id: `${args.name}-validate`, state: args.inputs }),
  call: (args: { inputs: Record<string, unknown> }) => args.inputs,
};

/**
 * `gitops validate`, in the program host's own process: loads the program once as the engine
 * would (the SDK the program resolves, the TypeScript loader, the stack's config), but with
 * Pulumi's mocks in place of the engine, so a classic program's top-level code runs and
 * registers nothing anywhere. Writes the program's form, or why it cannot run: an entry that
 * does not resolve, an import that fails, top-level code that throws, a default export that is
 * neither a function nor an object of outputs. A program function is not called.
 */
export async function checkProgramForm(sdk: Sdk, program: string, request: FormCheckRequest): Promise<void> {
  writeSync(request.resultFd, `${JSON.stringify(await formOf(sdk, program, request))}\n`);
}

async function formOf(sdk: Sdk, program: string, request: FormCheckRequest): Promise<FormCheckResult> {
  try {
    const runtime = sdk.runtime();
    runtime.setAllConfig(request.config, request.secretKeys);
    await runtime.setMocks(mocks as never, request.project, request.stack, true);
    await registerTypeScript();
    const mod = (await import(pathToFileURL(program).href)) as Record<string, unknown>;
    const form = programForm(mod, path.basename(program));
    return form.kind === 'neither' ? { ok: false, problem: form.problem } : { ok: true, form: form.kind };
  } catch (err) {
    return { ok: false, problem: firstLines(err instanceof Error ? err.message : String(err)) };
  }
}

function firstLines(text: string, n = 4): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(0, n).join('\n') + (lines.length > n ? '\n…' : '');
}
