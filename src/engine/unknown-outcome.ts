import { resourceName } from '../backend-state/urn-name.js';
import { GitopsError } from '../errors/gitops-error.js';

/**
 * A create that was in flight when its provider process died. Pulumi records such a create as
 * failed, not pending, so nothing in the state says it may have happened: the next `up`
 * creates it again, and a copy the dead create made is left untracked (a duplicate, an
 * orphan). gitops records each one beside the state and runs nothing on the stack until the
 * user has settled it (`gitops recover --forget`).
 */
export interface UnknownCreate {
  urn: string;
  type: string;
  name: string;
  /** When the run that lost its provider failed (ISO 8601). */
  at: string;
  /** The gitops command line of that run. */
  command: string;
  host: string;
}

/** The record of a stack's unknown-outcome creates: `<backend>/.gitops/unknown/<project>/<stack>.json`. */
export interface UnknownOutcomeRecord {
  version: 1;
  project: string;
  stack: string;
  creates: UnknownCreate[];
}

/** The type in a URN (`urn:pulumi:stack::project::[parent$]type::name`). */
export function typeOfUrn(urn: string): string {
  const parts = urn.split('::');
  const qualified = parts.length >= 4 ? parts[parts.length - 2]! : '';
  return qualified.slice(qualified.lastIndexOf('$') + 1);
}

/** The entries of creates in flight when a provider died (one run, one time). */
export function unknownCreatesOf(urns: readonly string[], run: { at: string; command: string; host: string }): UnknownCreate[] {
  return [...new Set(urns)].map((urn) => ({ urn, type: typeOfUrn(urn), name: resourceName(urn), ...run }));
}

/**
 * The record's text parsed; throws ENGINE_ERROR naming the object when it is not one (torn
 * or edited): a damaged record must stop the stack, not read as "nothing unknown".
 */
export function parseUnknownRecord(text: string, where: string): UnknownOutcomeRecord {
  let record: Partial<UnknownOutcomeRecord> | null = null;
  try {
    record = JSON.parse(text) as Partial<UnknownOutcomeRecord> | null;
  } catch {
    // Reported below.
  }
  const valid =
    record?.version === 1 &&
    Array.isArray(record.creates) &&
    record.creates.every((c) => typeof c?.urn === 'string' && c.urn.startsWith('urn:pulumi:'));
  if (!valid) {
    throw new GitopsError({
      code: 'ENGINE_ERROR',
      kind: 'external',
      message: `the record of creates of unknown outcome at ${where} is damaged (not a version 1 record); nothing was run`,
      hint: 'it names creates a run lost with its provider: read what it still says, settle those resources, then remove the file',
    });
  }
  return record as UnknownOutcomeRecord;
}

/** The record as stored: indented JSON (people read it), ending in a newline. */
export function serializeUnknownRecord(record: UnknownOutcomeRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

/**
 * `current` with `added` merged in: one entry per URN, the first one recorded kept (its run is
 * the one that may have made the resource). Two runs that race both end up in the record.
 */
export function mergeUnknown(
  current: UnknownOutcomeRecord | undefined,
  ref: { project: string; stack: string },
  added: readonly UnknownCreate[],
): UnknownOutcomeRecord {
  const creates = [...(current?.creates ?? [])];
  for (const c of added) if (!creates.some((k) => k.urn === c.urn)) creates.push(c);
  return { version: 1, project: ref.project, stack: ref.stack, creates };
}

/** The record without the entries for `urns`. */
export function withoutUnknown(record: UnknownOutcomeRecord, urns: readonly string[]): UnknownOutcomeRecord {
  return { ...record, creates: record.creates.filter((c) => !urns.includes(c.urn)) };
}

/** One line per entry: which resource, when its provider died, in which run. */
export function describeUnknown(c: UnknownCreate): string {
  const at = c.at.replace(/\.\d+Z$/, 'Z');
  return `create ${c.name} (${c.type}), provider died at ${at} in \`${c.command}\` on ${c.host}: ${c.urn}`;
}

/** What the user does with each unknown-outcome create, for the hints of both errors. */
export function settleSteps(stack: string): string {
  return (
    'check whether each resource exists; if it does, delete it by hand (nothing tracks it: the next deploy creates it again) ' +
    `or adopt it with \`pulumi import\`; then \`gitops recover --stack ${stack} --forget URN\` says it is settled ` +
    '(name every one; repeat the flag)'
  );
}

/**
 * The error that stops a stack with creates of unknown outcome, before anything runs: an
 * `up` would create each one again, a refresh or destroy would run past a resource nothing
 * tracks.
 */
export function unknownOutcomeError(stack: string, creates: readonly UnknownCreate[], where: string): GitopsError {
  const n = creates.length;
  return new GitopsError({
    code: 'UNKNOWN_OUTCOME',
    kind: 'external',
    message:
      `stack ${stack} has ${n} create${n === 1 ? '' : 's'} of unknown outcome: a run's provider died while ${n === 1 ? 'it was' : 'they were'} ` +
      `in flight, and ${n === 1 ? 'it' : 'each'} may exist untracked; nothing was run`,
    details: creates.map(describeUnknown),
    hint: `${settleSteps(stack)}. The record is ${where}`,
  });
}
