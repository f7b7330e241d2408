import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { LocalWorkspace, type OutputMap, Stack, type StackSettings } from '@pulumi/pulumi/automation/index.js';
import { GitopsError } from '../errors/gitops-error.js';
import type { RepoLayout } from '../repo/layout.js';
import type { Redactor } from '../report/redact.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';
import type { PulumiToolchain } from '../toolchain/pulumi-cli.js';
import { checkPassphrase, fileBackendDir } from './backend.js';
import { classifyFailure } from './classify-failure.js';
import { lastDeployedCommitOf } from './deployed-commit.js';
import type { Engine, RunRequest } from './engine.js';
import { EventCollector } from './event-collector.js';
import { deploymentSecrets } from './learn-secrets.js';
import { describeHolder, type LockHolder, lockedError, readLockFiles, removeLockFiles } from './lock-holder.js';
import { type DeploymentState, pendingOperationsError, pendingOperationsOf, readCheckpoint } from './pending-operations.js';
import { programName, reapLeftovers, watchProcesses } from './process-reaper.js';
import { loadProgram } from './program-loader.js';
import type { ProgressSink } from './progress.js';
import { type RecoverOutcome, type RecoverRequest, recoverStack } from './recover-state.js';
import { type Operation, type StackResult, skippedResult } from './result.js';
import { probeSecretDrift } from './secret-drift.js';
import { hasSecretsAccess, NO_SECRETS_ACCESS, passphraseVariable, secretsEnv, usesPassphrase } from './secrets-provider.js';

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
/** Operations that write state; a preview of remediation is the gate before one. */
const writingOps = new Set<Operation>(['up', 'refresh', 'destroy']);
const pendingGuardedOps = new Set<Operation>([...writingOps, 'remediate-preview']);

/** The Engine over the Pulumi Automation API: one local workspace per stack, inline programs. */
export class PulumiEngine implements Engine {
  /** Whether the state is on a local file backend, where lock files can be read and checked. */
  private get onFileBackend(): boolean {
    return fileBackendDir(this.options.backendUrl) !== undefined;
  }

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

  /** The CLI environment of one stack: the engine's, plus the stack's own passphrase variable. */
  private stackEnvVars(def: StackDefinition, backendUrl = this.options.backendUrl): Record<string, string> {
    return { ...this.envVars(), PULUMI_BACKEND_URL: backendUrl, ...secretsEnv(def, this.options.env) };
  }

  /** Creates or selects the stack, with its config written in one step (the stack settings file). */
  private async open(def: StackDefinition, runsProgram: boolean, options: { secrets?: boolean } = {}): Promise<Stack> {
    // `pulumi cancel` decrypts nothing: unlock must work without the stack's passphrase.
    const secrets = options.secrets !== false;
    // Never fall back on the job's other passphrase: name the stack's own variable instead.
    if (secrets && !hasSecretsAccess(def, this.options.env)) checkPassphrase(this.options.env, passphraseVariable(def));
    const stack = await this.openOn(def, runsProgram, this.options.backendUrl, this.workDir(def));
    if (secrets && this.options.redactor) await this.learnStackSecrets(def, stack);
    return stack;
  }

  /** Opens the stack's workspace on `backendUrl` in `workDir`: the real stack, or a throwaway copy of it. */
  private async openOn(def: StackDefinition, runsProgram: boolean, backendUrl: string, workDir: string): Promise<Stack> {
    const { layout, toolchain } = this.options;
    await mkdir(workDir, { recursive: true });
    const program = runsProgram ? await loadProgram(layout, def.program) : async () => undefined;
    const workspace = await LocalWorkspace.create({
      workDir,
      program,
      pulumiCommand: toolchain.command,
      envVars: this.stackEnvVars(def, backendUrl),
      // `stack init` reads the provider from here; the stack file's choice is passed on as is.
      ...(def.secretsProvider ? { secretsProvider: def.secretsProvider } : {}),
      projectSettings: { name: def.project, runtime: 'nodejs', main: layout.root, backend: { url: backendUrl } },
    });
    const existing = existsSync(path.join(workDir, `Pulumi.${def.stack}.yaml`)) ? await workspace.stackSettings(def.stack) : undefined;
    const settings: StackSettings = {
      ...(existing?.encryptionSalt || def.encryptionSalt ? { encryptionSalt: def.encryptionSalt ?? existing?.encryptionSalt } : {}),
      ...(def.secretsProvider ? { secretsProvider: def.secretsProvider } : {}),
      ...(def.encryptedKey ? { encryptedKey: def.encryptedKey } : {}),
      config: def.config as StackSettings['config'],
    };
    await workspace.saveStackSettings(def.stack, settings);
    // Every operation passes --stack, so once a file-backend stack exists, `pulumi stack select`
    // (a CLI start, ~0.4 s) is redundant: skip it.
    const dir = fileBackendDir(backendUrl);
    const stateFile = dir && path.join(dir, '.pulumi', 'stacks', def.project, `${def.stack}.json`);
    if (stateFile && existsSync(stateFile)) workspace.selectStack = async () => undefined;
    return Stack.createOrSelect(def.stack, workspace);
  }

  /**
   * Teaches the redactor the stack's secrets before anything runs: the passphrase, every secret
   * config value, and every secret in the state (stack outputs and resource properties), from an
   * export decrypted in memory. Each costs a CLI call, so only stacks that have such secrets pay:
   * a file-backend state without ciphertext has none to learn.
   */
  private async learnStackSecrets(def: StackDefinition, stack: Stack): Promise<void> {
    if (usesPassphrase(def)) this.learnSecret(this.options.env[passphraseVariable(def)]);
    if (Object.values(def.config).some(isSecureValue)) {
      for (const v of Object.values(await stack.getAllConfig())) if (v.secret) this.learnSecret(v.value);
    }
    const stateFile = this.stateFile(def);
    if (stateFile && !(existsSync(stateFile) && (await readFile(stateFile, 'utf8')).includes('"ciphertext"'))) return;
    this.learnSecret(deploymentSecrets(await stack.exportStack()));
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
    // A preview leaves alone a stack whose secrets this job holds no key to (a protected stack in a merge-request job).
    if (operation.endsWith('preview') && !hasSecretsAccess(def, this.options.env)) {
      const skipped = skippedResult(def.name, operation, NO_SECRETS_ACCESS, true);
      sink({ type: 'stack-done', stack: def.name, result: skipped });
      return skipped;
    }
    sink({ type: 'stack-start', stack: def.name, operation });
    let outputs: Record<string, unknown> | undefined;
    let result: StackResult;
    let watch: { stop(): void } | undefined;
    try {
      await this.reap(def, sink);
      if (writingOps.has(operation)) this.checkLock(def);
      // Destroy does not run the program; a deleted stack's program may be gone too.
      const stack = await this.open(def, !destroyOps.has(operation));
      if (pendingGuardedOps.has(operation)) await this.checkPending(def, stack);
      watch = watchProcesses(this.workDir(def));
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
          if (events.secretSuspects.size > 0) await this.findSecretDrift(def, stack, events, signal);
          break;
        case 'refresh':
          // Never `clearPendingCreates`: it forgets resources that may exist (checkPending stops before that).
          await stack.refresh({ ...common, message: request.message });
          break;
        case 'destroy':
          await stack.destroy({ ...common, message: request.message });
          break;
        case 'destroy-preview':
          await stack.destroy({ ...common, previewOnly: true });
          break;
      }
      result = {
        name: def.name,
        operation,
        status: 'succeeded',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        outputs,
      };
    } catch (err) {
      const error =
        err instanceof GitopsError
          ? err
          : classifyFailure(def.name, this.workDir(def), err, events, signal?.aborted ?? false, this.onFileBackend);
      result = {
        name: def.name,
        operation,
        status: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        error: { code: error.code, message: errorText(error) },
      };
    } finally {
      watch?.stop();
    }
    sink({ type: 'stack-done', stack: def.name, result });
    return result;
  }

  /** Adds drift in secret properties, which the events mask, by comparing decrypted values in memory. */
  private async findSecretDrift(def: StackDefinition, stack: Stack, events: EventCollector, signal?: AbortSignal): Promise<void> {
    const changes = await probeSecretDrift({
      stack,
      command: this.options.toolchain.command,
      env: { ...this.options.env, ...this.stackEnvVars(def) },
      parentDir: path.join(this.options.layout.workDir, 'workspaces'),
      openCopy: (backendUrl, workDir) => this.openOn(def, false, backendUrl, workDir),
      urns: events.secretSuspects,
      signal,
    });
    for (const c of changes) this.learnSecret(c.plaintexts);
    events.addSecretChanges(changes);
  }

  /** Kills what a dead run of this stack left running, and says so. */
  private async reap(def: StackDefinition, sink?: ProgressSink): Promise<void> {
    const reaped = await reapLeftovers(this.workDir(def));
    if (reaped.length === 0) return;
    const list = reaped.map((p) => `${p.pid} ${programName(p.command)}`).join(', ');
    sink?.({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] stopped ${reaped.length} processes a killed run left behind: ${list}`,
    });
  }

  /** On a file backend, a lock is read before anything runs, so the error names its holder and whether it lives. */
  private checkLock(def: StackDefinition): void {
    const dir = fileBackendDir(this.options.backendUrl);
    const holders = dir ? readLockFiles(dir, def.project, def.stack, this.workDir(def)) : [];
    if (holders.length > 0) throw lockedError(def.name, holders);
  }

  /** Stops the stack when a killed run left pending operations: running over them could duplicate or forget resources. */
  private async checkPending(def: StackDefinition, stack: Stack): Promise<void> {
    const stateFile = this.stateFile(def);
    const deployment: DeploymentState | undefined = stateFile
      ? await readCheckpoint(stateFile)
      : ((await stack.exportStack()).deployment as DeploymentState);
    const pending = pendingOperationsOf(deployment);
    if (pending.length > 0) throw pendingOperationsError(def.name, pending);
  }

  async unlock(def: StackDefinition, options: { force?: boolean } = {}): Promise<LockHolder[]> {
    await this.reap(def);
    const dir = fileBackendDir(this.options.backendUrl);
    if (!dir) {
      // Other backends keep their locks where we do not read them: the holder cannot be checked.
      if (!options.force) {
        throw new GitopsError({
          code: 'STACK_LOCKED',
          kind: 'user',
          message: `stack ${def.name}: cannot check who holds its lock on this backend`,
          hint: `make sure no run of it is in progress, then \`gitops unlock --stack ${def.name} --force\``,
        });
      }
      await (await this.open(def, false, { secrets: false })).cancel();
      return [];
    }
    const holders = readLockFiles(dir, def.project, def.stack, this.workDir(def));
    const alive = holders.filter((h) => h.state === 'alive');
    if (alive.length > 0) {
      throw new GitopsError({
        code: 'STACK_LOCKED',
        kind: 'external',
        message: `stack ${def.name}: refusing to unlock, the lock holder is still running: ${alive.map((h) => describeHolder(h)).join('; ')}`,
        hint: 'wait for that run to finish (or stop it); its lock goes with it',
      });
    }
    const remote = holders.filter((h) => h.state === 'remote');
    if (remote.length > 0 && !options.force) {
      throw new GitopsError({
        code: 'STACK_LOCKED',
        kind: 'external',
        message: `stack ${def.name}: locked from another host: ${remote.map((h) => describeHolder(h)).join('; ')}`,
        hint: `if that run is over, \`gitops unlock --stack ${def.name} --force\` removes the lock`,
      });
    }
    removeLockFiles(holders);
    return holders;
  }

  async recover(request: RecoverRequest, sink: ProgressSink): Promise<RecoverOutcome> {
    const def = request.stack;
    await this.reap(def, sink);
    this.checkLock(def);
    const stack = await this.open(def, false);
    const events = new EventCollector(def.name, sink, true);
    try {
      return await recoverStack(request, {
        cli: (args) => this.cli(def, args, request.signal),
        scratchFile: path.join(this.workDir(def), 'recover-state.json'),
        refresh: async (target) => {
          await stack.refresh({ target, message: 'gitops recover', onEvent: events.handle, signal: request.signal, color: 'never' });
        },
      });
    } catch (err) {
      throw err instanceof GitopsError
        ? err
        : classifyFailure(def.name, this.workDir(def), err, events, request.signal?.aborted ?? false, this.onFileBackend);
    }
  }

  /** Runs `pulumi <args>` in the stack's workspace; returns stdout. */
  private cli(def: StackDefinition, args: string[], signal?: AbortSignal): Promise<string> {
    const env = { ...this.options.env, ...this.stackEnvVars(def) };
    return new Promise((resolve, reject) => {
      execFile(
        this.options.toolchain.command.command,
        [...args, '--non-interactive'],
        { cwd: this.workDir(def), env, signal, maxBuffer: 1 << 30 },
        (err, stdout, stderr) =>
          err
            ? reject(new Error(`pulumi ${args.slice(0, 2).join(' ')} failed: ${stderr || err.message}`, { cause: err }))
            : resolve(stdout),
      );
    });
  }

  async lastDeployedCommit(def: StackDefinition): Promise<string | undefined> {
    // Opening would create a stack that does not exist; a file backend tells without the CLI.
    const stateFile = this.stateFile(def);
    if (stateFile && !existsSync(stateFile)) return undefined;
    const stack = await this.open(def, false);
    // Newest first; only the messages are needed, so secrets stay encrypted.
    const updates = await stack.history(100, 1, false);
    return lastDeployedCommitOf(updates);
  }
}

/** An error as one result message: what, the lines of detail, and the hint. */
function errorText(error: GitopsError): string {
  const lines = [error.message, ...error.details.map((d) => `  ${d}`)];
  return error.hint ? `${lines.join('\n')}\n  (${error.hint})` : lines.join('\n');
}

function renderOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? '[secret]' : v.value]));
}
