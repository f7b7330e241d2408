/**
 * The `@pulumi/kubernetes` package in package.json, and the provider version registered with
 * the CLI. The Go module proxy serves the provider module only at one pseudo-version, commit
 * f47bc2d6f199 of 2026-01-15: after sdk/v4.24.1 (2025-11-24), a day before sdk/v4.25.0
 * (2026-01-16). The npm packages 4.24.1 and 4.25.0 are identical but for their version, so the
 * schema matches; we pin 4.25.0, the nearest release not older than that commit.
 */
export const KUBERNETES_PROVIDER_VERSION = '4.25.0';

/** How to build `pulumi-resource-kubernetes` from the Go module proxy. */
export const kubernetesProviderBuild = {
  module: 'github.com/pulumi/pulumi-kubernetes/provider/v4',
  moduleVersion: 'v4.0.0-20260115033456-f47bc2d6f199',
  mainPackage: 'github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes',
  /** The provider's go.mod replaces sdk/v4 with `../sdk`; the tag of the same release stands in. */
  requires: { 'github.com/pulumi/pulumi-kubernetes/sdk/v4': `v${KUBERNETES_PROVIDER_VERSION}` },
  ldflags: `-X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${KUBERNETES_PROVIDER_VERSION}`,
} as const;
