import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/sandbox.js';

describe('the affected library', () => {
  it('loads no @pulumi/pulumi, directly or through anything it imports', async () => {
    // Bundling follows every static and literal dynamic import; the metafile lists what it reached.
    const out = await build({
      entryPoints: [path.join(repoRoot, 'src/affected/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs).toContain('src/affected/affected.ts');
    expect(inputs.filter((f) => f.includes('node_modules/@pulumi/'))).toEqual([]);
  });
});
