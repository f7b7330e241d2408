import { coerce, major, parse, satisfies } from 'semver';

/**
 * Pinned toolchain versions. The CLI matches the `@pulumi/pulumi` package in package.json:
 * 3.248.0 is the newest release that still supports Node.js 20.
 */
export const PULUMI_VERSION = '3.248.0';

/**
 * How to build the Pulumi CLI from the Go module proxy. `replaces` repeats the replace
 * directives of pkg/go.mod at this version that point at other module versions (the
 * local `../sdk` one is covered by requiring sdk/v3 directly).
 */
export const pulumiCliBuild = {
  mainPackage: 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi',
  requires: {
    'github.com/pulumi/pulumi/pkg/v3': `v${PULUMI_VERSION}`,
    'github.com/pulumi/pulumi/sdk/v3': `v${PULUMI_VERSION}`,
  },
  replaces: {
    'github.com/atotto/clipboard': 'github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e',
  },
  ldflags: `-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${PULUMI_VERSION}`,
  tags: 'osusergo,grpcnotrace',
} as const;

/**
 * Whether a CLI that reports `found` (`v3.248.0`, or `pulumi version` output) can stand in for
 * `pinned`: the same major version, and at least the pinned one.
 */
export function versionFits(found: string, pinned = PULUMI_VERSION): boolean {
  // A clean version keeps its prerelease tag (3.248.0-alpha is older than 3.248.0); other text is coerced.
  const version = parse(found.trim().replace(/^v/, '')) ?? coerce(found);
  return version !== null && satisfies(version, `>=${pinned} <${major(pinned) + 1}.0.0`, { includePrerelease: true });
}
