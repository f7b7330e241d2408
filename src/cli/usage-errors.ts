/**
 * Usage errors in our own words: yargs' messages ("Missing dependent arguments: comment -> base",
 * "Unknown arguments: expect-no-changes, expectNoChanges") turned into sentences that name the
 * flag, with "did you mean" for a mistyped flag or command. Pure.
 */

import { nearestName } from '../lib/nearest.js';

export interface UsageText {
  message: string;
  hint?: string;
}

const flag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** yargs reports each unknown flag in its typed and camelCase forms: one name per flag, as typed. */
function unknownNames(list: string): string[] {
  const names = list.split(', ').map((n) => n.trim());
  const kebab = new Set(names.filter((n) => n.includes('-')).map((n) => n.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())));
  return names.filter((n) => !kebab.has(n));
}

/**
 * Our message for a yargs usage message. `flags` are the options the command takes, `commands`
 * the commands at this level and `typedCommand` the one typed (for a mistyped command). Messages
 * that are already ours (from `demandCommand` and option checks) pass through.
 */
export function usageText(raw: string, flags: readonly string[], commands: readonly string[], typedCommand?: string): UsageText {
  const msg = raw.trim();
  // yargs' recommendCommands: a mistyped command.
  let m = /^Did you mean (\S+)\?$/.exec(msg);
  if (m) return { message: `unknown command${typedCommand ? ` "${typedCommand}"` : ''}`, hint: `did you mean \`gitops ${m[1]}\`?` };
  m = /^Unknown arguments?: (.+)$/s.exec(msg);
  if (m) {
    const names = unknownNames(m[1]!);
    const typed = names[0]!;
    // A bare word is a mistyped command, not a flag.
    const isCommand =
      /^[a-z][\w-]*$/i.test(typed) && commands.length > 0 && !flags.includes(typed) && nearestName(typed, commands) !== undefined;
    if (isCommand && names.length === 1) {
      return { message: `unknown command "${typed}"`, hint: `did you mean \`gitops ${nearestName(typed, commands)}\`?` };
    }
    const known = flags.filter((f) => f.length > 1 && !/[A-Z]/.test(f));
    const suggestions = names.map((n) => [n, nearestName(n, known)] as const).filter(([, s]) => s !== undefined);
    return {
      message: `unknown option${names.length === 1 ? '' : 's'} ${names.map(flag).join(', ')}`,
      hint:
        suggestions.length > 0
          ? `did you mean ${suggestions.map(([, s]) => flag(s!)).join(', ')}?`
          : 'see `--help` for the options this command takes',
    };
  }
  m = /^Missing dependent arguments:\s*(.+)$/s.exec(msg);
  if (m) {
    const pairs = m[1]!.split('\n').map((l) => l.trim().split(' -> '));
    return { message: pairs.map(([a, b]) => `${flag(a!)} needs ${flag(b!)}`).join('; ') };
  }
  m = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(msg);
  if (m) return { message: `${flag(m[1]!)} and ${flag(m[2]!)} cannot be used together` };
  m = /^Missing required arguments?: (.+)$/.exec(msg);
  if (m) return { message: `${m[1]!.split(', ').map(flag).join(', ')} ${m[1]!.includes(',') ? 'are' : 'is'} required` };
  m = /^Invalid values?:\s*Argument: (\S+), Given: (.+), Choices: (.+)$/s.exec(msg);
  if (m) return { message: `${flag(m[1]!)} ${m[2]!.trim()}: expected one of ${m[3]!.replace(/"/g, '').trim()}` };
  m = /^Not enough arguments following: (\S+)$/.exec(msg);
  if (m) return { message: `${flag(m[1]!)} needs a value` };
  return { message: msg };
}
