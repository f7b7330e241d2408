import type { Stack } from '@pulumi/pulumi/automation/index.js';

/**
 * The version of the update that just finished, from the engine: the Automation API's
 * `summary.version`. Pulumi Cloud numbers a stack's updates 1, 2, 3...; a self-managed backend
 * (file, S3) records 0 for every update, so there the update's number in the stack's history is
 * counted instead (`pulumi stack history`: the same numbering, one more CLI call). Undefined
 * when neither says.
 */
export async function updateVersionOf(stack: Stack, reported: number | undefined): Promise<number | undefined> {
  if (reported !== undefined && reported > 0) return reported;
  try {
    const count = (await stack.history()).length;
    return count > 0 ? count : undefined;
  } catch {
    // The update succeeded; a history that cannot be read only leaves the version out.
    return undefined;
  }
}
