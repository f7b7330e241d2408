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
