import { readFileSync } from 'node:fs';
import { parseFileList } from '../../affected/affected.js';
import type { AffectedResult } from '../../affected/model.js';
import { affectedJson, renderAffectedList, renderExplain } from '../../affected/render.js';
import { userError } from '../../errors/gitops-error.js';
import { affectedStacks } from '../../merge-request/change-scope.js';
import { actionContext } from '../context.js';
import type { CliEnv } from '../io.js';
import type { AffectedArgs } from '../options.js';

/** The one line that says which stacks a change affects. Pure. */
export function affectedLine(affected: AffectedResult): string {
  const names = affected.stacks.map((s) => `${s.name}${s.action === 'destroy' ? ' (deleted)' : ''}`);
  return `${names.length} stack${names.length === 1 ? '' : 's'} affected: ${names.join(', ') || 'none'}\n`;
}

/** `gitops affected`: which stacks a change affects, and why. Prints names (or JSON) on stdout. */
export async function affectedCommand(args: AffectedArgs, cli: CliEnv): Promise<number> {
  if (args.files === undefined && args.base === undefined)
    throw userError('USAGE', 'affected needs --base REF (the merge request target), or --files');
  const files =
    args.files === undefined
      ? undefined
      : parseFileList(args.files === '-' ? readFileSync(0, 'utf8') : args.files, { commas: args.files !== '-' });
  const ctx = await actionContext(cli, args);
  const { affected } = await affectedStacks(ctx, {
    base: args.base,
    head: args.head,
    files,
    allOnMissingHistory: args.allOnMissingHistory,
  });
  if (args.json) cli.io.stdout(`${JSON.stringify(affectedJson(affected), null, 2)}\n`);
  else cli.io.stdout(args.explain ? renderExplain(affected) : renderAffectedList(affected));
  return 0;
}
