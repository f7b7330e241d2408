import path from 'node:path';
import { goBuild, type Log } from '../../../src/toolchain/go-build.js';
import { ensureCachedBinary, toolCacheDir } from '../../../src/toolchain/tool-cache.js';
import type { ToolBinary } from './kube-apiserver.js';

// The S3-compatible store for shared-state tests: only the tests start one, so it lives here, not in src/.

/** SeaweedFS (Apache-2.0) has no module version tags: pinned by pseudo-version, as the Go module proxy serves it. */
export const SEAWEEDFS_VERSION = 'v0.0.0-20261109003541-7506e5f91cd6';

export const seaweedfsBuild = {
  module: 'github.com/seaweedfs/seaweedfs',
  mainPackage: 'github.com/seaweedfs/seaweedfs/weed',
  /**
   * The module's own go.mod replaces go-bip39 (the original repository is gone); a wrapper
   * module does not inherit replace directives, so it repeats it.
   */
  replaces: { 'github.com/tyler-smith/go-bip39': 'github.com/cosmos/go-bip39 v1.0.0' },
} as const;

/** `weed` at {@link SEAWEEDFS_VERSION}, built once from the Go module proxy (about 3 minutes on 2 cores) and cached after. */
export async function ensureWeed(env: NodeJS.ProcessEnv, log: Log): Promise<ToolBinary> {
  const binary = path.join(toolCacheDir(env, 'seaweedfs', SEAWEEDFS_VERSION), 'weed');
  const source = await ensureCachedBinary(binary, log, () =>
    goBuild(
      {
        label: `SeaweedFS weed ${SEAWEEDFS_VERSION}`,
        mainPackage: seaweedfsBuild.mainPackage,
        requires: { [seaweedfsBuild.module]: SEAWEEDFS_VERSION },
        replaces: seaweedfsBuild.replaces,
        output: binary,
      },
      env,
      log,
    ),
  );
  return { binary, version: SEAWEEDFS_VERSION, source };
}
