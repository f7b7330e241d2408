import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureCachedBinary, toolCacheDir } from '../../../src/toolchain/tool-cache.js';
import { kubeApiServerBuild, stagingReplaces } from '../../helpers/toolchain/kube-apiserver.js';

// The shape of k8s.io/kubernetes' go.mod: staging modules required at v0.0.0 and replaced by
// local folders, one of them (sample-cli-plugin) replaced without being required.
const kubernetesGoMod = `module k8s.io/kubernetes

go 1.24.0

require (
	github.com/spf13/cobra v1.9.1
	k8s.io/api v0.0.0
	k8s.io/apiserver v0.0.0
	k8s.io/kube-openapi v0.0.0-20250710124328-f3f2b991d03b
)

require k8s.io/kms v0.0.0 // indirect

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/apiserver => ./staging/src/k8s.io/apiserver
	k8s.io/kms => ./staging/src/k8s.io/kms
	k8s.io/sample-cli-plugin => ./staging/src/k8s.io/sample-cli-plugin
)
`;

describe('stagingReplaces', () => {
  it('pins every required staging module to its release, and only those', () => {
    expect(stagingReplaces(kubernetesGoMod, 'v0.34.4')).toEqual([
      'replace k8s.io/api => k8s.io/api v0.34.4',
      'replace k8s.io/apiserver => k8s.io/apiserver v0.34.4',
      'replace k8s.io/kms => k8s.io/kms v0.34.4',
    ]);
  });

  it('derives the staging release from the Kubernetes version', () => {
    expect(kubeApiServerBuild.stagingVersion).toMatch(/^v0\.3[4-7]\.\d+$/);
  });
});

describe('ensureCachedBinary', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds once when two callers race, then serves the cache', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cached-binary-'));
    const binary = path.join(toolCacheDir({ GITOPS_TOOLS_HOME: dir }, 'tool', 'v1'), 'tool');
    expect(binary).toBe(path.join(dir, 'tool', 'v1', 'tool'));
    let builds = 0;
    const build = async (): Promise<void> => {
      builds++;
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(binary, 'built');
    };
    const sources = await Promise.all([ensureCachedBinary(binary, () => {}, build), ensureCachedBinary(binary, () => {}, build)]);
    expect(builds).toBe(1);
    expect(sources.sort()).toEqual(['built', 'cache']);
    expect(await ensureCachedBinary(binary, () => {}, build)).toBe('cache');
    expect(builds).toBe(1);
    expect(await readFile(binary, 'utf8')).toBe('built');
    expect(existsSync(`${binary}.lock`)).toBe(false);
  });
});
