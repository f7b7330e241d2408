import { readFileSync } from 'node:fs';
import { findAffected } from '../../actions/affected.js';
import { userError } from '../../errors/gitops-error.js';
import { affectedJson, renderAffectedList, renderExplain } from '../../report/affected-render.js';
import { actionContext } from '../context.js';
import type { CliEnv } from '../io.js';
import type { AffectedArgs } from '../options/repository.js';

/** `gitops affected`: which stacks a change affects, and why. Prints names (or JSON) on stdout. */
export async function affectedCommand(args: AffectedArgs, cli: CliEnv): Promise<number> {
  if (args.files === undefined && args.base === undefined)
    throw userError('USAGE', 'affected needs --base REF (the merge request target), or --files');
  const files =
    args.files === undefined ? undefined : { text: args.files === '-' ? readFileSync(0, 'utf8') : args.files, commas: args.files !== '-' };
  const ctx = await actionContext(cli, args);
  const scope = await findAffected(ctx, {
    base: args.base,
    head: args.head,
    files,
    allOnMissingHistory: args.allOnMissingHistory,
  });
  if (args.json) cli.io.stdout(`${JSON.stringify(affectedJson(scope.affected), null, 2)}\n`);
  else cli.io.stdout(args.explain ? renderExplain(scope.affected) : renderAffectedList(scope.affected));
  return 0;
}
