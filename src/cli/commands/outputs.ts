import { randomBytes } from 'node:crypto';
import { type OutputValue, type StackOutputs, stackOutputs } from '../../actions/outputs.js';
import { actionContext } from '../context.js';
import { type CliEnv, printRevealing } from '../io.js';
import type { OutputsArgs } from '../options/state.js';

/** An output value as a line of text: strings as they are, anything else as JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `name: value` per output, or why there are none. Pure; `shown` gives each value's text. */
export function renderOutputsText(result: StackOutputs, shown: (o: OutputValue) => string = (o) => textOf(o.value)): string {
  if (!result.deployed) return `${result.stack}: no outputs: the stack has no state yet (never deployed)\n`;
  if (result.outputs.length === 0) return `${result.stack}: no outputs\n`;
  return result.outputs.map((o) => `${o.name}: ${shown(o)}\n`).join('');
}

/** The JSON document: outputs by name, and which of them are secret. Pure. */
export function renderOutputsJson(result: StackOutputs, shown: (o: OutputValue) => unknown = (o) => o.value): string {
  const doc = {
    stack: result.stack,
    deployed: result.deployed,
    outputs: Object.fromEntries(result.outputs.map((o) => [o.name, shown(o)])),
    secrets: result.outputs.filter((o) => o.secret).map((o) => o.name),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * `gitops outputs --stack S`: the stack's outputs on stdout, secret ones as `[secret]`. With
 * `--show-secrets` their values are printed; nothing else the redactor knows is.
 */
export async function outputsCommand(args: OutputsArgs, cli: CliEnv): Promise<number> {
  const ctx = await actionContext(cli, args);
  const result = await stackOutputs(ctx, { stack: args.stack, showSecrets: args.showSecrets });
  if (!args.showSecrets) {
    cli.io.stdout(args.json ? renderOutputsJson(result) : renderOutputsText(result));
    return 0;
  }
  // Each secret is rendered as a token that redaction leaves alone, then put back after it.
  const nonce = randomBytes(8).toString('hex');
  const reveal = new Map<string, string>();
  // By position, ended by a dash, so no token is a prefix of another.
  const token = (o: OutputValue): string => `gitops-reveal-${nonce}-${result.outputs.indexOf(o)}-`;
  if (args.json) {
    const text = renderOutputsJson(result, (o) => (o.secret ? token(o) : o.value));
    for (const o of result.outputs) if (o.secret) reveal.set(JSON.stringify(token(o)), JSON.stringify(o.value));
    printRevealing(cli, text, reveal);
  } else {
    const text = renderOutputsText(result, (o) => (o.secret ? token(o) : textOf(o.value)));
    for (const o of result.outputs) if (o.secret) reveal.set(token(o), textOf(o.value));
    printRevealing(cli, text, reveal);
  }
  return 0;
}
