import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { LocalWorkspace, Stack, type OutputMap, type StackSettings } from '@pulumi/pulumi/automation/index.js';
import { GitopsError } from '../errors/gitops-error.js';
import { fileBackendDir } from './backend.js';
import type { RepoLayout } from '../repo/layout.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';
import type { Redactor } from '../report/redact.js';
import type { PulumiToolchain } from '../toolchain/pulumi-cli.js';
import { classifyFailure } from './classify-failure.js';
import type { Engine, RunRequest } from './engine.js';
import { EventCollector } from './event-collector.js';
import { loadProgram } from './program-loader.js';
import type { ProgressSink } from './progress.js';
import type { Operation, StackResult } from './result.js';

export interface PulumiEngineOptions {
  layout: RepoLayout;
  toolchain: PulumiToolchain;
  backendUrl: string;
  env: NodeJS.ProcessEnv;
  /** Learns the plaintext of secret config and outputs, so no report can print them. */
  redactor?: Redactor;
}

const refreshOps = new Set<Operation>(['refresh', 'refresh-preview']);
const destroyOps = new Set<Operation>(['destroy', 'destroy-preview']);

/** The Engine over the Pulumi Automation API: one local workspace per stack, inline programs. */
export class PulumiEngine implements Engine {
  constructor(private readonly options: PulumiEngineOptions) {}

  private workDir(def: StackDefinition): string {
    return path.join(this.options.layout.workDir, 'workspaces', def.name);
  }

  /** The state file of a stack on a file backend; undefined for other backends. */
  private stateFile(def: StackDefinition): string | undefined {
    const dir = fileBackendDir(this.options.backendUrl);
    return dir && path.join(dir, '.pulumi', 'stacks', def.project, `${def.stack}.json`);
  }

  private envVars(): Record<string, string> {
    const { toolchain, backendUrl, env } = this.options;
    const vars: Record<string, string> = {
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
      PULUMI_BACKEND_URL: backendUrl,
      // The CLI would find its home through the user database, not $HOME: plugins we registered live here.
      PULUMI_HOME: toolchain.home,
    };
    if (toolchain.extraPath.length > 0) vars.PATH = [...toolchain.extraPath, env.PATH ?? ''].join(path.delimiter);
    return vars;
  }

  /** Creates or selects the stack, with its config written in one step (the stack settings file). */
  private async open(def: StackDefinition, runsProgram: boolean): Promise<Stack> {
    const { layout, toolchain, backendUrl } = this.options;
    const workDir = this.workDir(def);
    await mkdir(workDir, { recursive: true });
    const program = runsProgram ? await loadProgram(layout, def.program) : async () => undefined;
    const workspace = await LocalWorkspace.create({
      workDir,
      program,
      pulumiCommand: toolchain.command,
      envVars: this.envVars(),
      projectSettings: { name: def.project, runtime: 'nodejs', main: layout.root, backend: { url: backendUrl } },
    });
    const existing = existsSync(path.join(workDir, `Pulumi.${def.stack}.yaml`)) ? await workspace.stackSettings(def.stack) : undefined;
    const settings: StackSettings = {
      ...(existing?.encryptionSalt || def.encryptionSalt ? { encryptionSalt: def.encryptionSalt ?? existing?.encryptionSalt } : {}),
      config: def.config as StackSettings['config'],
    };
    await workspace.saveStackSettings(def.stack, settings);
    // Every operation passes --stack, so once a file-backend stack exists, `pulumi stack select`
    // (a CLI start, ~0.4 s) is redundant: skip it.
    const stateFile = this.stateFile(def);
    if (stateFile && existsSync(stateFile)) workspace.selectStack = async () => undefined;
    const stack = await Stack.createOrSelect(def.stack, workspace);
    // Decrypting costs a CLI call, so only stacks with secure config pay for it.
    if (this.options.redactor && Object.values(def.config).some(isSecureValue)) {
      for (const v of Object.values(await stack.getAllConfig())) if (v.secret) this.learnSecret(v.value);
    }
    return stack;
  }

  private learnSecret(value: unknown): void {
    if (value === undefined || value === null) return;
    if (typeof value === 'string') this.options.redactor?.add(value);
    else if (typeof value === 'object') for (const v of Object.values(value)) this.learnSecret(v);
    else this.options.redactor?.add(String(value));
  }

  async run(request: RunRequest, sink: ProgressSink): Promise<StackResult> {
    const { stack: def, operation, signal } = request;
    const started = Date.now();
    const events = new EventCollector(def.name, sink, refreshOps.has(operation));
    sink({ type: 'stack-start', stack: def.name, operation });
    let outputs: Record<string, unknown> | undefined;
    let result: StackResult;
    try {
      // Destroy does not run the program; a deleted stack's program may be gone too.
      const stack = await this.open(def, !destroyOps.has(operation));
      const common = { onEvent: events.handle, signal, color: 'never' as const };
      switch (operation) {
        case 'preview':
          await stack.preview({ ...common, diff: false });
          break;
        case 'up':
          {
            const up = await stack.up({ ...common, message: request.message });
            for (const o of Object.values(up.outputs)) if (o.secret) this.learnSecret(o.value);
            outputs = renderOutputs(up.outputs);
          }
          break;
        case 'remediate-preview':
          await stack.preview({ ...common, refresh: true, diff: false });
          break;
        case 'refresh-preview':
          await stack.previewRefresh(common);
          break;
        case 'refresh':
          await stack.refresh({ ...common, message: request.message, clearPendingCreates: true });
          break;
        case 'destroy':
          await stack.destroy({ ...common, message: request.message });
          break;
        case 'destroy-preview':
          await stack.destroy({ ...common, previewOnly: true });
          break;
      }
      result = { name: def.name, operation, status: 'succeeded', changes: events.summary ?? {}, resources: events.resourceList(), durationMs: Date.now() - started, outputs };
    } catch (err) {
      const error = err instanceof GitopsError ? err : classifyFailure(def.name, this.workDir(def), err, events, signal?.aborted ?? false);
      result = {
        name: def.name,
        operation,
        status: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        error: { code: error.code, message: error.hint ? `${error.message} (${error.hint})` : error.message },
      };
    }
    sink({ type: 'stack-done', stack: def.name, result });
    return result;
  }

  async unlock(def: StackDefinition): Promise<void> {
    const stack = await this.open(def, false);
    await stack.cancel();
  }
}

function renderOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? '[secret]' : v.value]));
}
