import type { Sdk } from './sdk.js';

interface OutputModule {
  secret: (value: unknown) => unknown;
  Output: { isInstance(v: unknown): boolean };
}

/**
 * Calls `learn` with the plaintext of every `pulumi.secret(...)` the program makes, at the
 * moment it makes it: before the program can print it, and before the engine sees it. Values
 * not known yet (promises, outputs) are learned when they resolve.
 *
 * The package's main module copies `secret` from its `output` module, so both are replaced.
 * This must run before the program first imports `@pulumi/pulumi`: an ES module import takes
 * its named exports from the CommonJS exports as they are then.
 */
export function learnSecretsAsMade(sdk: Sdk, learn: (plaintext: unknown) => void): void {
  const output = sdk.require('./output.js') as OutputModule;
  const main = sdk.require('./index.js') as { secret: OutputModule['secret'] };
  const original = output.secret;
  const secret = (value: unknown): unknown => {
    watch(value, learn, output.Output);
    return original(value);
  };
  output.secret = secret;
  main.secret = secret;
}

function watch(value: unknown, learn: (plaintext: unknown) => void, Output: OutputModule['Output']): void {
  if (Output.isInstance(value)) {
    (value as { apply(f: (v: unknown) => unknown): unknown }).apply((v) => {
      learn(v);
      return v;
    });
  } else if (value instanceof Promise) {
    value.then(learn, () => undefined);
  } else {
    learn(value);
  }
}
