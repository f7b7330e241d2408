import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';

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
    return outputsOf(mod, path.basename(file));
  };
}

/** Runs the module's program function, or returns its exports as outputs. */
async function outputsOf(mod: Record<string, unknown>, name: string): Promise<Record<string, unknown> | undefined> {
  const keys = Object.keys(mod);
  const named = keys.filter((k) => k !== 'default');
  const fn =
    typeof mod.default === 'function' ? mod.default : named.length === 1 && typeof mod.program === 'function' ? mod.program : undefined;
  if (fn) return (await (fn as () => unknown)()) as Record<string, unknown> | undefined;
  if ('default' in mod) {
    // An ES module with only a default export, or CommonJS (`module.exports`, which Node also
    // offers as named exports): the default is the exports object.
    const value = mod.default;
    if (value !== null && typeof value === 'object') return { ...(value as Record<string, unknown>) };
    if (named.length === 0) throw new Error(`${name}: its default export is neither a function nor an object of outputs`);
  }
  return Object.fromEntries(named.map((k) => [k, mod[k]]));
}
