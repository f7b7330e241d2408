import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../helpers/sandbox.js';

type Job = Record<string, unknown> & { script?: string[]; variables?: Record<string, string>; rules?: { if: string }[]; steps?: { run?: string; env?: Record<string, string> }[] };
const deploySecrets = /DEPLOY_/;

describe('CI templates', () => {
  it('GitLab: preview on MRs without deploy credentials, serialized deploy on the default branch, sharded drift on schedules', async () => {
    const ci = parse(await readFile(path.join(repoRoot, '.gitlab-ci.yml'), 'utf8')) as Record<string, Job>;
    const { preview, deploy, drift } = ci as { preview: Job; deploy: Job; drift: Job };
    expect(preview.rules![0]!.if).toContain('merge_request_event');
    expect(JSON.stringify(preview)).not.toMatch(deploySecrets);
    expect(preview.script!.join('\n')).toMatch(/gitops preview --base .* --comment/);
    expect(deploy.rules![0]!.if).toContain('$CI_DEFAULT_BRANCH');
    expect(deploy.resource_group).toBe('production');
    expect(deploy.script!.join('\n')).toContain('gitops deploy --base "$CI_COMMIT_BEFORE_SHA"');
    expect(drift.rules![0]!.if).toContain('schedule');
    expect(drift.parallel).toBe(4);
    expect(drift.script!.join('\n')).toContain('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"');
  });

  it('GitHub: the preview job names no environment and gets no deploy secret; deploy and drift use the protected environment', async () => {
    const wf = parse(await readFile(path.join(repoRoot, '.github/workflows/gitops.yml'), 'utf8')) as { jobs: Record<string, Job> };
    const { preview, deploy, drift } = wf.jobs as { preview: Job; deploy: Job; drift: Job };
    expect(preview.environment).toBeUndefined();
    expect(JSON.stringify(preview)).not.toMatch(deploySecrets);
    expect(deploy.environment).toBe('production');
    expect(drift.environment).toBe('production');
    expect(JSON.stringify(drift)).toContain('--shard \\"${{ matrix.shard }}/4\\"');
    expect((drift.strategy as { matrix: { shard: number[] } }).matrix.shard).toEqual([1, 2, 3, 4]);
  });
});
