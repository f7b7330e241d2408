import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineEvent, Stack } from '@pulumi/pulumi/automation/index.js';
import type { PolicyCollector, PolicyRun } from './policy-result.js';
import { type CopyCli, type StateCopy, withRefreshedCopy } from './secret-drift.js';

/**
 * Checks the live resources against the packs: a drift check's refresh preview writes no state,
 * so a throwaway copy of the state is refreshed and `pulumi policy analyze` checks it. Violations
 * go to `collector`; a mandatory one is reported, not a failure of the check. A pack that cannot
 * run throws, with Pulumi's output, for the caller to classify.
 */
export async function analyzeLiveState(copy: StateCopy, run: PolicyRun, collector: PolicyCollector, pluginDir: string): Promise<void> {
  // `policy analyze` reads no project plugins: it finds the analyzer plugin on PATH.
  const env = { ...copy.env, PATH: [pluginDir, copy.env.PATH ?? ''].join(path.delimiter) };
  await withRefreshedCopy({ ...copy, env }, async (refreshed, cli, backendUrl) => {
    await liveInputs(refreshed, cli, backendUrl);
    const packs = run.packs.flatMap((p) => ['--policy-pack', p.dir, '--policy-pack-config', p.configFile]);
    const args = ['policy', 'analyze', '--stack', refreshed.name, '--json', ...packs];
    let stdout: string;
    let failure: unknown;
    try {
      stdout = (await cli(args, refreshed.workspace.workDir, backendUrl)).stdout;
    } catch (err) {
      stdout = (err as { stdout?: string }).stdout ?? '';
      failure = err;
    }
    let found = 0;
    for (const line of stdout.split('\n')) {
      if (!line.trim().startsWith('{')) continue;
      const event = JSON.parse(line) as EngineEvent;
      if (event.policyEvent) found++;
      collector.collect(event);
    }
    // It exits non-zero for a mandatory violation: that is a finding, anything else is a failure.
    const mandatory = collector.violations.some((v) => v.enforcement === 'mandatory');
    if (failure && !(found > 0 && mandatory)) throw failure;
  });
}

interface StateResource {
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/**
 * `pulumi policy analyze` checks each resource's inputs, which a refresh leaves as Git declared
 * them: in the copy, each declared property takes the value read live (from the outputs), so the
 * packs judge what runs.
 */
async function liveInputs(copy: Stack, cli: CopyCli, backendUrl: string): Promise<void> {
  const cwd = copy.workspace.workDir;
  const state = JSON.parse((await cli(['stack', 'export', '--stack', copy.name], cwd, backendUrl)).stdout) as {
    deployment?: { resources?: StateResource[] };
  };
  for (const r of state.deployment?.resources ?? []) {
    if (!r.inputs || !r.outputs) continue;
    for (const key of Object.keys(r.inputs)) if (key in r.outputs) r.inputs[key] = r.outputs[key];
  }
  const file = path.join(cwd, 'live-state.json');
  await writeFile(file, JSON.stringify(state), { mode: 0o600 });
  await cli(['stack', 'import', '--file', file, '--stack', copy.name], cwd, backendUrl);
}
