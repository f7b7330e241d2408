import type { DriftReport } from '../../drift/detect.js';
import { notifyDrift as notify } from '../../drift/notify.js';
import { forgeContextFromEnv } from '../../forge/context.js';
import { createForge } from '../../forge/create-forge.js';
import type { CliEnv } from '../io.js';

/** `drift --notify`: the forge comes from the CI's variables; a missing one is a clear FORGE_ERROR. */
export async function notifyDrift(reports: readonly DriftReport[], cli: CliEnv, meta: { commit?: string; time: Date }): Promise<void> {
  const ctx = forgeContextFromEnv(cli.env);
  const outcomes = await notify(reports, createForge(ctx), cli.redactor!, { ...meta, pipelineUrl: ctx.pipelineUrl });
  for (const o of outcomes) if (o.action !== 'none') cli.io.stderr(`[${o.stack}] drift issue ${o.action}${o.url ? `: ${o.url}` : ''}\n`);
}
