import { createRequire } from 'node:module';
import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import type * as RuntimeModule from '@pulumi/pulumi/runtime/index.js';

/** The parts of `@pulumi/pulumi` (and its gRPC library) the host uses. */
export interface Sdk {
  require: NodeJS.Require;
  /** Where the package was found. */
  packageDir: string;
  /**
   * The SDK's runner of inline programs (internal to the package, but what the Automation API
   * itself serves inline programs with): `run` sets the runtime up from the engine's request and
   * runs the program in this process.
   */
  languageServer(): new (program: PulumiFn) => { run(call: unknown, callback: unknown): unknown };
  runtime(): typeof RuntimeModule;
}

/**
 * The `@pulumi/pulumi` the program itself resolves, loaded through CommonJS from the program's
 * folder. The host serves the engine with the same copy the program registers its resources
 * with: one SDK per process. Nothing loads the package's main module here, so the hooks in
 * `secret-hook.ts` are in place before the program's first import of it; the runner and the
 * runtime load only when asked for (the CLI also starts the host just to ask it questions).
 */
export function sdkFor(programFile: string): Sdk {
  const fromProgram = createRequire(programFile);
  let manifest: string;
  try {
    manifest = fromProgram.resolve('@pulumi/pulumi/package.json');
  } catch {
    throw new Error(`${programFile}: cannot find @pulumi/pulumi from the program's folder; install it where the program can import it`);
  }
  const require = createRequire(manifest);
  const packageDir = manifest.slice(0, -'/package.json'.length);
  return {
    require,
    packageDir,
    languageServer: () => (require('./automation/server.js') as { LanguageServer: ReturnType<Sdk['languageServer']> }).LanguageServer,
    runtime: () => require('./runtime/index.js') as typeof RuntimeModule,
  };
}
