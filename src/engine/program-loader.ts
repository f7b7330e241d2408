import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import { typeMatches } from '../drift/ignore-rules.js';
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

/**
 * Properties an operation must leave as they are live on matching resources: Pulumi
 * `ignoreChanges`, added to them by a resource transform. Drift remediation passes the fields
 * that are managed elsewhere (`drift.ignoreManagers`, `drift.ignorePaths`), so converging on Git
 * never reverts what an autoscaler or another controller owns.
 */
export interface IgnoreChangesRule {
  /** A type glob over the Pulumi type token, or a Kubernetes `apiVersion/Kind` (see `typeMatches`). */
  type: string;
  /** Only resources with this logical name; every resource of the type when absent. */
  name?: string;
  /** Pulumi property paths (`spec.replicas`, `metadata.labels["app.kubernetes.io/name"]`, `a[*].b`). */
  paths: string[];
  /** Why, for messages: `manager hpa-controller`, `path apps/v1/Deployment:spec.replicas`. */
  reason?: string;
}

/**
 * The program with `ignoreChanges` added for the rules' paths on the resources they match.
 *
 * Why a transform and not a changed program: the program stays what Git says, and the rules are
 * data of this one run. `ignoreChanges` makes the engine keep the refreshed (live) value of those
 * inputs, and under server-side apply the Kubernetes provider then leaves a field another manager
 * owns out of its patch, so Pulumi gives up ownership instead of forcing its value back (for a
 * path through a list item, which the provider's ignore handling cannot follow, it applies the
 * live value unchanged instead).
 * Resources are matched by type and logical name (a transform sees no URN); two resources of one
 * type and name under different parents both get the rule, which only ever ignores more.
 */
export function withIgnoreChanges(program: PulumiFn, rules: readonly IgnoreChangesRule[] | undefined): PulumiFn {
  if (!rules || rules.length === 0) return program;
  return async () => {
    pulumi.runtime.registerResourceTransform((args) => {
      const paths = rules
        .filter((r) => (r.name === undefined || r.name === args.name) && typeMatches(r.type, args.type))
        .flatMap((r) => r.paths);
      if (paths.length === 0) return undefined;
      const ignoreChanges = [...new Set([...(args.opts.ignoreChanges ?? []), ...paths])];
      return { props: args.props, opts: { ...args.opts, ignoreChanges } };
    });
    return program();
  };
}
