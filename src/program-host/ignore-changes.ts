import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import type { ResourceTransform } from '@pulumi/pulumi/resource.js';
import { typeMatches } from '../stacks/ignore-rules.js';

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
export function withIgnoreChanges(
  program: PulumiFn,
  rules: readonly IgnoreChangesRule[] | undefined,
  /** `pulumi.runtime.registerResourceTransform` of the SDK the program uses. */
  registerResourceTransform: (t: ResourceTransform) => void,
): PulumiFn {
  if (!rules || rules.length === 0) return program;
  return async () => {
    registerResourceTransform((args) => {
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
