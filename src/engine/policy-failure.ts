import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js';
import { resourceName } from '../backend-state/urn-name.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { PolicyCollector, PolicyRun, PolicyViolation } from './policy-result.js';
import type { ProgressSink } from './progress.js';

/** The analyzer plugin Pulumi starts for a Node.js policy pack. */
export const ANALYZER_PLUGIN = 'pulumi-analyzer-policy-nodejs';

/** Where the analyzer plugin keeps what the packs of a stack's run printed (see its script). */
export const POLICY_STDERR_VARIABLE = 'GITOPS_POLICY_STDERR';

export function policyStderrFile(workDir: string): string {
  return path.join(workDir, 'policy-stderr.log');
}

/** A failure's text, and what the run's packs printed (the cause of a pack that threw), redacted by the caller. */
export async function policyFailureText(workDir: string, text: string): Promise<string> {
  const printed = await readFile(policyStderrFile(workDir), 'utf8').catch(() => '');
  return `${printed.slice(-20_000)}\n${text}`;
}

/** One line for a violation, as the console and logs show it. */
export function violationLine(v: PolicyViolation): string {
  const where = v.urn ? resourceName(v.urn) : 'the stack';
  const level = v.proposed ? `${v.enforcement}, proposed` : v.enforcement;
  // Pulumi sends the policy's description, then the violation's own message, on separate lines: the console keeps one line.
  const message = v.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
  return `policy ${v.pack}/${v.policy} (${level}) on ${where}: ${message}`;
}

/** An engine event handler that also collects policy violations and shows each once. */
export function policyEvents(
  stack: string,
  collector: PolicyCollector,
  next: (e: EngineEvent) => void,
  sink: ProgressSink,
): (e: EngineEvent) => void {
  return (event) => {
    const v = collector.collect(event);
    if (v) {
      const severity = v.enforcement === 'mandatory' && !v.proposed ? 'error' : 'warning';
      sink({ type: 'diagnostic', stack, severity, message: violationLine(v), ...(v.urn ? { urn: v.urn } : {}) });
      return;
    }
    next(event);
  };
}

/** The pack a failure text names by its folder, else every pack of the run. */
function packsNamed(run: PolicyRun, text: string): string {
  const named = run.packs.filter((p) => text.includes(p.dir));
  return (named.length > 0 ? named : run.packs).map((p) => p.name).join(', ');
}

/**
 * The error of a run that checked policy packs and failed because of them: a pack that could not
 * run (POLICY_PACK, exit 2, naming the pack), or mandatory violations (POLICY_VIOLATION);
 * undefined when the failure is another one. Pure.
 */
export function policyFailure(
  stack: string,
  run: PolicyRun,
  collector: PolicyCollector,
  text: string,
  cause: unknown,
): GitopsError | undefined {
  const packError = (what: string, hint: string) =>
    new GitopsError({
      code: 'POLICY_PACK',
      kind: 'user',
      message: `stack ${stack}: policy pack ${packsNamed(run, text)}: ${what}`,
      hint,
      cause,
    });
  if (text.includes(`'${ANALYZER_PLUGIN}'`) || /could not find latest version for provider policy-nodejs/.test(text)) {
    return packError(
      `the analyzer plugin ${ANALYZER_PLUGIN} is missing`,
      `run \`npm run setup\` (gitops toolchain), which places it beside the Pulumi CLI`,
    );
  }
  if (/policy pack's dependencies are not installed|Cannot find module '@pulumi\/(policy|pulumi)/.test(text)) {
    return packError('its dependencies are not installed', 'give the pack a package-lock.json: gitops installs its dependencies from it');
  }
  const threw = /failed to start|failed to load Pulumi policy project|\(analyzer\)|analyzer.*(error|failed)|policy pack .* failed/i.exec(
    text,
  );
  if (threw) {
    // What the pack threw (`Error: ...`), not the runner's `error: [runtime] Running program ...` around it.
    const thrown = /\b(\w*Error): (?!\[runtime\])(.+)/.exec(text);
    const line = thrown ? `${thrown[1]}: ${thrown[2]}` : threw[0];
    return packError(
      `it failed: ${line.trim().slice(0, 500)}`,
      'fix the pack on the default branch; its own tests (or `pulumi preview --policy-pack`) show the cause',
    );
  }
  const mandatory = collector.violations.filter((v) => v.enforcement === 'mandatory' && !v.proposed);
  if (mandatory.length > 0) {
    return new GitopsError({
      code: 'POLICY_VIOLATION',
      kind: 'user',
      // Each violation was shown as it came (and is in --json); the error does not repeat them.
      message: `stack ${stack}: ${mandatory.length} mandatory policy violation${mandatory.length > 1 ? 's' : ''} (${[...new Set(mandatory.map((v) => `${v.pack}/${v.policy}`))].join(', ')}); nothing was changed`,
      cause,
    });
  }
  return undefined;
}
