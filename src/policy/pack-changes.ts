import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PolicyContext } from './policy-set.js';
import { settingsAt } from './policy-set.js';

const run = promisify(execFile);

/** A policy pack a merge request changes: it takes effect only once merged. */
export interface PackChange {
  pack: string;
  change: 'added' | 'removed' | 'code changed' | 'settings changed' | 'code and settings changed';
}

async function treeOf(root: string, commit: string, pack: string): Promise<string> {
  return (
    await run('git', ['rev-parse', '--verify', '--quiet', `${commit}:./policies/${pack}`], { cwd: root }).catch(() => ({ stdout: '' }))
  ).stdout.trim();
}

/** The packs whose code (policies/<pack>/) or settings (gitops.policies) differ from base to head. */
export async function packChanges(ctx: PolicyContext, base: string, head: string): Promise<PackChange[]> {
  const [before, after] = await Promise.all([settingsAt(ctx, { commit: base }), settingsAt(ctx, { commit: head })]);
  const names = [...new Set([...before.packs.keys(), ...after.packs.keys()])].sort();
  const out: PackChange[] = [];
  for (const pack of names) {
    const [was, now] = [before.packs.get(pack), after.packs.get(pack)];
    if (!was) out.push({ pack, change: 'added' });
    else if (!now) out.push({ pack, change: 'removed' });
    else {
      const code = (await treeOf(ctx.root, base, pack)) !== (await treeOf(ctx.root, head, pack));
      const settings = JSON.stringify(was) !== JSON.stringify(now);
      if (code || settings)
        out.push({ pack, change: code && settings ? 'code and settings changed' : code ? 'code changed' : 'settings changed' });
    }
  }
  return out;
}
