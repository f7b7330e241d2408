import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GitopsError } from '../errors/gitops-error.js';

/** The peer range of `@pulumi/pulumi` this package declares (package.json `peerDependencies`). */
export const sdkPeerRange = '^3.248.0';

/** One installed `@pulumi/pulumi`: its folder (real path) and version. */
export interface SdkCopy {
  dir: string;
  version: string;
}

/** The `@pulumi/pulumi` that Node resolves from a folder, or undefined when none is installed there or above. */
export function sdkFrom(dir: string): SdkCopy | undefined {
  let entry: string;
  try {
    entry = createRequire(path.join(dir, '__gitops__.js')).resolve('@pulumi/pulumi');
  } catch {
    return undefined;
  }
  for (let d = path.dirname(entry); d !== path.dirname(d); d = path.dirname(d)) {
    const manifest = path.join(d, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === '@pulumi/pulumi') return { dir: realpathSync(d), version: pkg.version ?? '?' };
  }
  return undefined;
}

/**
 * Refuses to run when the driver and a program would load two copies of `@pulumi/pulumi`:
 * the engine would fail deep inside with `13 INTERNAL: Request message serialization
 * failure`. `driver` is the copy the driver loads; `programs` maps each folder programs are
 * loaded from (the repository root, program folders) to the copy Node resolves there. A folder
 * that resolves none is passed over: its programs load the driver's copy or fail on their own.
 */
export function checkSingleSdk(driver: SdkCopy | undefined, programs: ReadonlyMap<string, SdkCopy | undefined>): void {
  if (!driver) {
    throw new GitopsError({
      code: 'SDK_CONFLICT',
      kind: 'user',
      message: '@pulumi/pulumi is not installed: gitops runs the programs with the SDK of the repository',
      hint: `install it beside gitops: npm install --save-dev @pulumi/pulumi@"${sdkPeerRange}"`,
    });
  }
  for (const [folder, copy] of programs) {
    if (!copy || copy.dir === driver.dir) continue;
    throw new GitopsError({
      code: 'SDK_CONFLICT',
      kind: 'user',
      message: `two copies of @pulumi/pulumi: gitops loads ${driver.version} from ${driver.dir}, and programs in ${folder} would load ${copy.version} from ${copy.dir}`,
      hint: `one process holds one SDK: keep one @pulumi/pulumi (within ${sdkPeerRange}) that both resolve, e.g. run npm dedupe, or install gitops in the same package as the programs`,
    });
  }
}

/** The copy the driver itself loads: resolved from this module's own folder. */
export function driverSdk(): SdkCopy | undefined {
  return sdkFrom(path.dirname(fileURLToPath(import.meta.url)));
}
