import type { PulumiFn } from '@pulumi/pulumi/automation/index.js';
import type { Sdk } from './sdk.js';

/** What the engine sends with `Run`, as far as the host reads it. */
interface RunRequestLike {
  getConfigMap(): { entries(): Iterable<[string, string]> } | undefined;
  getConfigsecretkeysList(): string[] | undefined;
}

type Callback = (err: Error | null | undefined, response?: unknown) => void;
type Call = { request: unknown };

export interface ServeOptions {
  sdk: Sdk;
  /** Readies the program (hooks, the TypeScript loader) when the engine first asks to run it. */
  program: () => Promise<PulumiFn>;
  /** Called with the plaintext of each secret config value, before the program runs. */
  learnSecret: (plaintext: string) => void;
  /** Ready the program at once rather than at the first Run (a warm host, started ahead of the CLI). */
  eager?: boolean;
}

/**
 * Serves Pulumi's language runtime protocol for one program, as Pulumi's Node language host does:
 * the engine asks which plugins the program needs (none: gitops installs the providers itself, as
 * for inline programs) and then runs it. The run itself is the SDK's own in-process runner, the
 * one the Automation API uses for inline programs, so both behave alike; here it runs in a process
 * of its own. Resolves with the port once listening.
 */
export async function serveProgram(options: ServeOptions): Promise<{ port: number }> {
  const { sdk, program, learnSecret, eager } = options;
  const grpc = sdk.require('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const langrpc = sdk.require('./proto/language_grpc_pb.js') as { LanguageRuntimeService: import('@grpc/grpc-js').ServiceDefinition };
  const langproto = sdk.require('./proto/language_pb.js') as {
    GetRequiredPluginsResponse: new () => { setPluginsList(l: unknown[]): void };
    GetRequiredPackagesResponse: new () => { setPackagesList(l: unknown[]): void };
  };
  const plugproto = sdk.require('./proto/plugin_pb.js') as { PluginInfo: new () => { setVersion(v: string): void } };
  const version = (sdk.require('./package.json') as { version: string }).version;
  // The CLI starts the host for questions too (which plugins, which version): the SDK's runner,
  // the TypeScript loader and the program load only for a Run.
  let inline: Promise<{ run(call: unknown, callback: unknown): unknown }> | undefined;
  const runner = () => {
    inline ??= program().then((fn) => new (sdk.languageServer())(fn));
    return inline;
  };

  const handlers = {
    getPluginInfo: (_call: Call, cb: Callback) => {
      const info = new plugproto.PluginInfo();
      info.setVersion(version);
      cb(null, info);
    },
    getRequiredPlugins: (_call: Call, cb: Callback) => {
      const resp = new langproto.GetRequiredPluginsResponse();
      resp.setPluginsList([]);
      cb(null, resp);
    },
    getRequiredPackages: (_call: Call, cb: Callback) => {
      const resp = new langproto.GetRequiredPackagesResponse();
      resp.setPackagesList([]);
      cb(null, resp);
    },
    run: (call: Call, cb: Callback) => {
      const req = call.request as RunRequestLike;
      const secretKeys = new Set(req.getConfigsecretkeysList() ?? []);
      for (const [key, value] of req.getConfigMap()?.entries() ?? []) if (secretKeys.has(key)) learnSecret(value);
      runner().then(
        (r) => r.run(call, cb),
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
  };
  if (eager) {
    // Failures surface at the Run that needs the program.
    runner().catch(() => undefined);
  }
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 400 * 1024 * 1024 });
  server.addService(langrpc.LanguageRuntimeService, handlers as unknown as import('@grpc/grpc-js').UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port };
}
