import type { DriftReport } from '../api/drift-report.js';
import type { StackResult } from '../engine/result.js';

/*
 * GitHub Actions workflow commands (`::error title=...::message`) for stacks that failed, so
 * they show on the run's summary page and the pull request. Escaping follows GitHub's
 * workflow-command rules (as @actions/core's command.ts implements them): in the message
 * `%`, `\r` and `\n`; in property values also `:` and `,`. Without it a newline in an error
 * would end the command and the rest would print as plain log lines. Pure; the caller redacts
 * first, so that a secret is never split by an escape.
 */

/** Escapes a workflow command's message. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a workflow command's property value (`title=...`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/** One annotation line: `::error title=T::message`. */
export function annotation(level: AnnotationLevel, title: string, message: string): string {
  return `::${level} title=${escapeProperty(title)}::${escapeData(message)}`;
}

type Redact = (text: string) => string;

/** {@link annotation} with the title and message redacted before escaping. */
const redacted =
  (redact: Redact) =>
  (level: AnnotationLevel, title: string, message: string): string =>
    annotation(level, redact(title), redact(message));

/** `::error` for each failed or cancelled stack of a preview or deploy; `::warning` for one that did not run when it should have. */
export function operationAnnotations(command: string, results: readonly StackResult[], redact: Redact = (t) => t): string[] {
  const annotation = redacted(redact);
  return results.flatMap((r) => {
    if (r.status === 'failed')
      return [
        annotation('error', `gitops ${command}: ${r.name} failed`, `${r.error?.code ?? 'ERROR'}: ${r.error?.message ?? 'unknown error'}`),
      ];
    if (r.status === 'cancelled') return [annotation('error', `gitops ${command}: ${r.name} cancelled`, 'the run was cancelled')];
    if (r.status === 'skipped' && !r.benign)
      return [annotation('warning', `gitops ${command}: ${r.name} not run`, r.skipReason ?? 'skipped')];
    return [];
  });
}

/** `::error` for each stack whose drift check failed, `::warning` for drift left in place. */
export function driftAnnotations(reports: readonly DriftReport[], redact: Redact = (t) => t): string[] {
  const annotation = redacted(redact);
  return reports.flatMap((r) => {
    if (r.status !== 'succeeded' || r.action === 'failed')
      return [annotation('error', `gitops drift: ${r.name} failed`, `${r.error?.code ?? 'ERROR'}: ${r.error?.message ?? r.status}`)];
    if (r.action === 'reported' || r.action === 'blocked') {
      const count = r.drifted.length + r.deleted.length;
      const why = r.blockedReason ? `; remediation blocked: ${r.blockedReason}` : '';
      return [annotation('warning', `gitops drift: ${r.name} drifted`, `${count} resource${count === 1 ? '' : 's'} differ from Git${why}`)];
    }
    return [];
  });
}
