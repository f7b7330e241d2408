import type { DriftReport } from '../../drift/detect.js';
import type { CliEnv } from '../io.js';

/** Placeholder until the forge layer lands. */
export async function notifyDrift(reports: readonly DriftReport[], cli: CliEnv, meta: { commit?: string; time: Date }): Promise<void> {
  void reports; void meta;
  cli.io.stderr('notify: not wired yet\n');
}
