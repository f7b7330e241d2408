import { z } from 'zod';

/** One resource of the approved preview: what the deploy may do to it. */
const plannedResource = z.object({ urn: z.string(), op: z.string(), changedProperties: z.array(z.string()) });

const stateVersion = z.object({ update: z.number().int().min(0), lastUpdate: z.string(), digest: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * What `preview --save-plans DIR` records for one stack, in `DIR/<stack>.json`: the commit and
 * git tree it previewed, the stack's state version it previewed against, and the plan (a file
 * beside it). A stack the preview could not plan (it failed, or the job holds no key to its
 * secrets) gets a record that says why, so deploy can name it.
 */
export const planRecordSchema = z.strictObject({
  format: z.literal(1),
  /** The stack id (file name in stacks/), and its Pulumi identity. */
  stack: z.string(),
  project: z.string(),
  pulumiStack: z.string(),
  /** `up` for a stack in the catalogue, `destroy` for one whose file was deleted. */
  operation: z.enum(['up', 'destroy']),
  commit: z.string().regex(/^[0-9a-f]{40,64}$/),
  /** `<commit>^{tree}`: the whole content previewed; deploy uses the plan only on this exact tree. */
  tree: z.string().regex(/^[0-9a-f]{40,64}$/),
  /** Why there is no plan (the preview failed or was skipped). */
  unplanned: z.string().optional(),
  state: stateVersion.optional(),
  /** The plan file, relative to the record's folder (`up` only; a destroy is bound by its state alone). */
  planFile: z.string().optional(),
  /** The config salt the plan's secrets are encrypted with (not a secret: stack files carry it too). */
  encryptionSalt: z.string().optional(),
  /** The approved preview's resource operations, shown against a fresh preview when the plan is stale. */
  resources: z.array(plannedResource),
  previewedAt: z.string(),
});

export type PlanRecord = z.infer<typeof planRecordSchema>;
export type PlannedResource = z.infer<typeof plannedResource>;
