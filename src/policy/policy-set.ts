import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PolicyPackRun, PolicyRun } from '../engine/policy-result.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { GitReader } from '../git/git.js';
import { packConfig } from './pack-config.js';
import { linkPackDeps } from './pack-deps.js';
import { type PackOrigin, preparePackFiles } from './pack-source.js';
import { type PolicyTarget, packsForStack } from './select.js';
import { type PolicySettings, parsePolicySettings } from './settings.js';

/** What preparing policy packs needs: the repository, git, and where prepared packs are cached. */
export interface PolicyContext {
  root: string;
  git: GitReader;
  cacheDir: string;
  log: (line: string) => void;
}

/** The root settings at an origin: the commit's Pulumi.yaml, or the working tree's. USAGE error on a bad one. */
export async function settingsAt(ctx: PolicyContext, origin: PackOrigin): Promise<PolicySettings> {
  const text =
    'commit' in origin
      ? await ctx.git.show(origin.commit, 'Pulumi.yaml')
      : await readFile(path.join(ctx.root, 'Pulumi.yaml'), 'utf8').catch(() => undefined);
  const where = 'commit' in origin ? `Pulumi.yaml at ${origin.commit.slice(0, 12)}` : 'Pulumi.yaml';
  const { settings, problems } = parsePolicySettings(text, where);
  if (problems.length > 0) {
    throw new GitopsError({ code: 'USAGE', kind: 'user', message: `invalid policy settings in ${where}`, details: problems });
  }
  return settings;
}

/** The packs of each stack a run checks, prepared; `runFor` gives one stack's. */
export interface PolicySet {
  runFor(stack: string): PolicyRun | undefined;
}

/**
 * Prepares the packs `settings` apply to `stacks` (by name and label), taken from `origin`, with their config files.
 * `proposed`: the merge request's new packs (not in `settings`), run advisory only.
 */
export async function preparePolicySet(
  ctx: PolicyContext,
  stacks: readonly PolicyTarget[],
  enforced: { settings: PolicySettings; origin: PackOrigin },
  proposed?: { settings: PolicySettings; origin: PackOrigin },
): Promise<PolicySet> {
  const runs = new Map<string, PolicyPackRun[]>();
  const prepared = new Map<string, PolicyPackRun>();
  const prepare = async (name: string, settings: PolicySettings, origin: PackOrigin, advisoryOnly: boolean): Promise<PolicyPackRun> => {
    const key = `${advisoryOnly}:${name}`;
    const known = prepared.get(key);
    if (known) return known;
    const dir = await preparePackFiles(ctx.root, name, origin, ctx.cacheDir, (staged) => linkPackDeps(name, staged, ctx.cacheDir, ctx.log));
    if (!dir) {
      const where = 'commit' in origin ? ` at ${origin.commit.slice(0, 12)}` : '';
      throw new GitopsError({
        code: 'POLICY_PACK',
        kind: 'user',
        message: `policy pack ${name}: the settings name it, but policies/${name}/ does not exist${where}`,
        hint: 'add the pack folder, or remove it from gitops.policies in Pulumi.yaml',
      });
    }
    const config = JSON.stringify(packConfig(settings.packs.get(name)!, advisoryOnly), null, 2);
    const configDir = path.join(ctx.cacheDir, 'configs');
    await mkdir(configDir, { recursive: true });
    const configFile = path.join(configDir, `${createHash('sha256').update(config).digest('hex').slice(0, 32)}.json`);
    await writeFile(configFile, config);
    const run: PolicyPackRun = { name, dir, configFile, ...(advisoryOnly ? { advisoryOnly } : {}) };
    prepared.set(key, run);
    return run;
  };
  for (const stack of stacks) {
    const list: PolicyPackRun[] = [];
    for (const name of packsForStack(enforced.settings, stack)) list.push(await prepare(name, enforced.settings, enforced.origin, false));
    if (proposed) {
      for (const name of packsForStack(proposed.settings, stack)) {
        if (!enforced.settings.packs.has(name)) list.push(await prepare(name, proposed.settings, proposed.origin, true));
      }
    }
    if (list.length > 0) runs.set(stack.name, list);
  }
  return { runFor: (stack) => (runs.has(stack) ? { packs: runs.get(stack)! } : undefined) };
}
