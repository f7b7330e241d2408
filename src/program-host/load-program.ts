import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';

/** Which of Pulumi's two Node forms a loaded module is, or why it is neither. */
export type ProgramForm =
  | { kind: 'function'; fn: () => unknown }
  | { kind: 'exports'; outputs: Record<string, unknown> }
  | { kind: 'neither'; problem: string };

/**
 * The Pulumi program in `file`, in either form Pulumi's own Node host runs:
 * - a function (the default export, or the export named `program`): called, and what it returns
 *   becomes the stack outputs;
 * - a classic program: its top-level code registers the resources as the module loads, and the
 *   module's exports become the stack outputs.
 *
 * The module is imported when the program runs, not before: top-level code must run inside the
 * stack, and once per process (each run has a process of its own, so a fresh module instance).
 */
export function programOf(file: string): PulumiFn {
  return async () => {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const form = programForm(mod, path.basename(file));
    if (form.kind === 'neither') throw new Error(form.problem);
    if (form.kind === 'function') return (await form.fn()) as Record<string, unknown> | undefined;
    return form.outputs;
  };
}

/** The module's program function, or its exports as outputs, or why it is neither. Pure. */
export function programForm(mod: Record<string, unknown>, name: string): ProgramForm {
  const keys = Object.keys(mod);
  const named = keys.filter((k) => k !== 'default');
  const fn =
    typeof mod.default === 'function' ? mod.default : named.length === 1 && typeof mod.program === 'function' ? mod.program : undefined;
  if (fn) return { kind: 'function', fn: fn as () => unknown };
  if ('default' in mod) {
    // An ES module with only a default export, or CommonJS (`module.exports`, which Node also
    // offers as named exports): the default is the exports object.
    const value = mod.default;
    if (value !== null && typeof value === 'object') return { kind: 'exports', outputs: { ...(value as Record<string, unknown>) } };
    if (named.length === 0)
      return { kind: 'neither', problem: `${name}: its default export is neither a function nor an object of outputs` };
  }
  return { kind: 'exports', outputs: Object.fromEntries(named.map((k) => [k, mod[k]])) };
}
