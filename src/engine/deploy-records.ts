import { openStateObjects } from '../backend-state/open-state-objects.js';
import { type RecordNeeds, type RecordRead, readStackRecords } from '../backend-state/read-records.js';
import type { StateObjects } from '../backend-state/state-objects.js';
import { asGitopsError, GitopsError } from '../errors/gitops-error.js';
import { mapLimit } from '../lib/map-limit.js';
import type { StackDefinition } from '../stacks/schema.js';

/**
 * Stacks whose records are read at once. Each stack's objects are fetched together (up to three),
 * so 16 stacks keep about as many requests in flight as the S3 client has sockets (50): more only
 * queue, holding memory. CLI calls each start a process, so fewer.
 */
const DIRECT_CONCURRENCY = 16;
const CLI_CONCURRENCY = 8;

/**
 * Stacks' deploy records, read the cheapest way the backend allows: directly from a DIY
 * backend's objects (file, S3; see `readStackRecords`), else one CLI call per stack, at most
 * {@link CLI_CONCURRENCY} at once (Pulumi Cloud). The CLI path knows the deployed commit only;
 * `record` is then undefined.
 */
export class DeployRecords {
  private objects?: Promise<StateObjects | undefined>;

  constructor(
    private readonly backendUrl: string,
    /** The CLI path for one stack: its deployed commit. */
    private readonly viaCli: (stack: StackDefinition) => Promise<string | undefined>,
    /** `GITOPS_DEPLOY_RECORDS=cli`: the CLI path even where the objects could be read (a check, or a way round a misread). */
    private readonly forceCli = false,
    /** Whether this command keeps the backend's records index up to date (it holds the state's write credentials: deploy, drift). */
    private readonly writesIndex = false,
  ) {}

  /** Whether the backend's objects are read directly (no CLI call per stack). */
  async direct(): Promise<boolean> {
    return (await this.open()) !== undefined;
  }

  private open(): Promise<StateObjects | undefined> {
    this.objects ??= this.forceCli ? Promise.resolve(undefined) : openStateObjects(this.backendUrl);
    return this.objects;
  }

  /** One stack's deployed commit; throws when its record cannot be read. */
  async commitOf(stack: StackDefinition): Promise<string | undefined> {
    const read = (await this.read([stack], { latestUpdate: false })).get(stack.name)!;
    if (!read.ok) throw read.error;
    return read.deployedCommit;
  }

  async read(stacks: readonly StackDefinition[], needs?: RecordNeeds): Promise<Map<string, RecordRead>> {
    const objects = await this.open();
    if (objects) return readStackRecords(objects, stacks, DIRECT_CONCURRENCY, needs, this.writesIndex ? 'write' : 'read');
    const reads = await mapLimit(stacks, CLI_CONCURRENCY, (s) =>
      this.viaCli(s).then(
        (deployedCommit): RecordRead => ({ ok: true, ...(deployedCommit ? { deployedCommit } : {}) }),
        (err): RecordRead => ({ ok: false, error: asGitopsError(err) }),
      ),
    );
    return new Map(stacks.map((s, i) => [s.name, reads[i]!]));
  }
}

/** `GITOPS_DEPLOY_RECORDS`: `direct` (default: read a file or S3 backend's objects) or `cli` (one Pulumi CLI call per stack). */
export function recordsViaCli(env: NodeJS.ProcessEnv): boolean {
  const raw = env.GITOPS_DEPLOY_RECORDS;
  if (raw === undefined || raw === '' || raw === 'direct') return false;
  if (raw === 'cli') return true;
  throw new GitopsError({
    code: 'USAGE',
    kind: 'user',
    message: `GITOPS_DEPLOY_RECORDS=${raw}: not direct or cli`,
    hint: 'unset it (the backend is read directly where it can be), or set it to cli to read each stack through the Pulumi CLI',
  });
}
