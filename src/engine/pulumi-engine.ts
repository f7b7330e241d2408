import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {
  LocalWorkspace,
  type OutputMap,
  type ProjectSettings,
  Stack,
  StackNotFoundError,
  type StackSettings,
} from '@pulumi/pulumi/automation/index.js';
import type { RecordNeeds, RecordRead } from '../backend-state/read-records.js';
import { GitopsError } from '../errors/gitops-error.js';
import { type PreparedPlan, planRejection, planSalt, preparePlan } from '../plans/stack-plan.js';
import type { IgnoreChangesRule } from '../program-host/ignore-changes.js';
import { hostPluginDir } from '../program-host/plugin-dir.js';
import { encodeHostSettings, HIDDEN_VARIABLE, HOST_RUNTIME, PORT_FILE_VARIABLE } from '../program-host/settings.js';
import type { RepoLayout } from '../repo/layout.js';
import type { Redactor } from '../report/redact.js';
import { programEntry } from '../stacks/program-project.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';
import type { LockStore } from '../state-lock/lock-store.js';
import { openLockStore } from '../state-lock/open-lock-store.js';
import { clearGroups, type RunProcesses } from '../state-lock/run-processes.js';
import { acquireStackLock, type HeldLock, readStackLock, removeStackLock } from '../state-lock/stack-lock.js';
import type { PulumiToolchain } from '../toolchain/pulumi-cli.js';
import { checkPassphrase, fileBackendDir } from './backend.js';
import { cancelledOutcome } from './cancel-outcome.js';
import { namedCheckpointError, stateLocation } from './checkpoint-error.js';
import { classifyFailure, inFlightCreates } from './classify-failure.js';
import { DeployRecords } from './deploy-records.js';
import { commitOfTag, deployedCommitTag, lastDeployedCommitOf, noCommitTag } from './deployed-commit.js';
import type { Engine, PlanRequest, RunRequest, StackOutput } from './engine.js';
import { EventCollector } from './event-collector.js';
import { hostDeathError } from './host-death.js';
import { isolatedCommand } from './isolated-command.js';
import { deploymentSecrets } from './learn-secrets.js';
import { analyzeLiveState } from './live-policy.js';
import { describeHolder, type LockHolder, lockedError, readLockFiles, removeLockFiles } from './lock-holder.js';
import {
  type DeploymentState,
  describePending,
  pendingOperationsError,
  pendingOperationsOf,
  readCheckpoint,
  settlesItself,
} from './pending-operations.js';
import {
  POLICY_STDERR_VARIABLE,
  policyEvents,
  policyFailure,
  policyFailureText,
  policyStderrFile,
  violationLine,
} from './policy-failure.js';
import { PolicyCollector, policyOptions } from './policy-result.js';
import { programName, reapLeftovers, watchProcesses } from './process-reaper.js';
import { readProcess } from './process-table.js';
import { type ProgramSandbox, READONLY_VARIABLE, SANDBOX_VARIABLE } from './program-sandbox.js';
import type { ProgressSink } from './progress.js';
import { type RecoverOutcome, type RecoverRequest, recoverStack } from './recover-state.js';
import { type Operation, type StackResult, skippedResult } from './result.js';
import { type GroupPublisher, groupPublisher, providersElsewhereError, reapEarlierRun } from './run-groups.js';
import { probeSecretDrift, type StateCopy } from './secret-drift.js';
import { hasSecretsAccess, NO_SECRETS_ACCESS, passphraseVariable, usesPassphrase } from './secrets-provider.js';
import { stackEnvironment } from './stack-env.js';
import { unknownCreatesOf, unknownOutcomeError, settleSteps as unknownSettleSteps } from './unknown-outcome.js';
import { readUnknownCreates, recordUnknownCreates, settleUnknownCreates } from './unknown-outcome-store.js';
import { updateVersionOf } from './update-version.js';
import { startWarmHost, type WarmHost, warmHostPortFile } from './warm-host.js';

export interface PulumiEngineOptions {
  layout: RepoLayout;
  toolchain: PulumiToolchain;
  backendUrl: string;
  env: NodeJS.ProcessEnv;
  /** Learns the plaintext of secret config and outputs, so no report can print them. */
  redactor?: Redactor;
  /** How program processes are confined (see `ProgramSandbox`); default none. */
  sandbox?: ProgramSandbox;
  /** How long one stack's operation may run before it is stopped (TIMED_OUT); default {@link DEFAULT_OPERATION_TIMEOUT_MS}. */
  operationTimeoutMs?: number;
  /** How long a stack lock's lease lasts unless renewed (see `StackLockRecord.leaseMs`); default 5 minutes. */
  lockLeaseMs?: number;
  /** Read deploy records through the CLI even on a backend read directly (`GITOPS_DEPLOY_RECORDS=cli`). */
  recordsViaCli?: boolean;
}

/** Two hours: longer than any sane single-stack update, short enough that a hung program frees its runner. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 2 * 60 * 60 * 1000;

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

  /** The CLI, run with exactly the environment each stack is given (see `isolatedCommand`). */
  private readonly command: PulumiToolchain['command'];

  /** Deploy records: read from the backend's objects where it can be, else through the CLI. */
  private readonly records: DeployRecords;

  constructor(private readonly options: PulumiEngineOptions) {
    this.records = new DeployRecords(options.backendUrl, (def) => this.lastDeployedCommitViaCli(def), options.recordsViaCli);
    // A stopped run gets as long to wind down as it had to run, up to a minute.
    this.command = isolatedCommand(options.toolchain.command, Math.min(60_000, options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS));
  }

  private lockStore?: Promise<LockStore | undefined>;

  /** Our own lock store beside the state (file and S3 backends), opened once, on first use. */
  private stateLocks(): Promise<LockStore | undefined> {
    this.lockStore ??= openLockStore(this.options.backendUrl);
    return this.lockStore;
  }

  /**
   * Takes our own lock on the stack before Pulumi writes its state. Pulumi's lock on a blob store
   * (list, write, list again) can be raced: two runners that start together may both see the
   * other's lock file and both give up. Ours is one atomic create-if-absent, so exactly one wins.
   */
  private async takeLock(def: StackDefinition): Promise<HeldLock | undefined> {
    const store = await this.stateLocks();
    const leaseMs = this.options.lockLeaseMs === undefined ? {} : { leaseMs: this.options.lockLeaseMs };
    return store && acquireStackLock(store, { name: def.name, project: def.project, stack: def.stack }, new Date(), leaseMs);
  }

  /**
   * Our lock was taken over from a dead run: Pulumi's own lock, left by that run's CLI (dead with
   * it), goes too, as `unlock` would remove it; no person needs to run `unlock`.
   */
  private async clearAfterTakeover(def: StackDefinition, held: HeldLock | undefined, sink: ProgressSink): Promise<void> {
    if (!held?.tookOver) return;
    sink({ type: 'log', level: 'warning', message: `[${def.name}] took over the lock of a dead run: ${describeHolder(held.tookOver)}` });
    const dir = fileBackendDir(this.options.backendUrl);
    if (dir) removeLockFiles(readLockFiles(dir, def.project, def.stack, this.workDir(def)).filter((h) => h.state !== 'alive'));
    else await (await this.open(def, false, { secrets: false })).cancel();
  }

  /**
   * Kills what an earlier dead run of the stack on this host left running, from any checkout
   * (its record beside the lock), and returns where this run records its own groups. A record
   * from another host is left in place (nothing here can check it): `recover` reads it.
   */
  private async reapEarlierRun(
    def: StackDefinition,
    sink: ProgressSink,
  ): Promise<{ publisher?: GroupPublisher; elsewhere?: RunProcesses }> {
    const store = (await this.stateLocks())?.ofKind('processes');
    if (!store) return {};
    const ref = { name: def.name, project: def.project, stack: def.stack };
    const { killed, elsewhere } = await reapEarlierRun(store, ref);
    if (killed.length > 0) {
      const groups = [...new Set(killed.map((p) => p.pgid))].join(', ');
      sink({
        type: 'log',
        level: 'warning',
        message: `[${def.name}] stopped ${killed.length} processes (process groups ${groups}) a killed run left behind`,
      });
    }
    return elsewhere ? { elsewhere } : { publisher: groupPublisher(store, ref) };
  }

  /** Releases our lock after the run, whatever its outcome; a lock that cannot be released is reported, not hidden. */
  private async releaseLock(def: StackDefinition, held: HeldLock, sink?: ProgressSink): Promise<void> {
    let outcome: string;
    try {
      outcome = await held.release();
    } catch (err) {
      outcome = (err as Error).message;
    }
    if (outcome === 'removed') return;
    const why = outcome === 'changed' || outcome === 'gone' ? `it was removed by someone else during the run (${outcome})` : outcome;
    sink?.({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] could not release the gitops lock at ${held.where}: ${why}; \`gitops unlock --stack ${def.name}\` clears a lock left behind`,
    });
  }

  private workDir(def: StackDefinition): string {
    return path.join(this.options.layout.workDir, 'workspaces', def.name);
  }

  /** Where the stack's state is, for messages: the file, or the object on the backend. */
  private stateWhere(def: StackDefinition): string {
    return this.stateFile(def) ?? stateLocation(this.options.backendUrl, def.project, def.stack);
  }

  /** The state file of a stack on a file backend; undefined for other backends. */
  private stateFile(def: StackDefinition): string | undefined {
    const dir = fileBackendDir(this.options.backendUrl);
    return dir && path.join(dir, '.pulumi', 'stacks', def.project, `${def.stack}.json`);
  }

  /**
   * The CLI environment of one stack: what `stackEnvironment` allows it (never the job's forge
   * tokens or other stacks' passphrases), the engine's own settings, and for runs of the program
   * what its host needs to know. The program host finds itself on PATH.
   */
  private stackEnvVars(def: StackDefinition, backendUrl = this.options.backendUrl, program?: ProgramRun): Record<string, string> {
    const { toolchain, env, layout } = this.options;
    const allowed = stackEnvironment(def, env, backendUrl);
    const vars: Record<string, string> = {
      ...allowed.env,
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
      PULUMI_BACKEND_URL: backendUrl,
      // The CLI would find its home through the user database, not $HOME: plugins we registered live here.
      PULUMI_HOME: toolchain.home,
      PATH: [...toolchain.extraPath, allowed.env.PATH ?? ''].join(path.delimiter),
      [HIDDEN_VARIABLE]: allowed.hidden.join(','),
      [SANDBOX_VARIABLE]: this.options.sandbox ?? 'none',
      [READONLY_VARIABLE]: layout.root,
      [POLICY_STDERR_VARIABLE]: policyStderrFile(this.workDir(def)),
      ...dynamicProviderScript(layout.root),
    };
    if (program) {
      const entry = programEntry(layout, def);
      const portFile = program.forHost ? { portFile: program.portFile } : {};
      Object.assign(vars, encodeHostSettings({ program: entry, cwd: layout.root, ignoreChanges: program.ignoreChanges, ...portFile }));
      if (program.portFile && !program.forHost) vars[PORT_FILE_VARIABLE] = program.portFile;
    }
    return vars;
  }

  /** Creates or selects the stack, with its config written in one step (the stack settings file). */
  private async open(
    def: StackDefinition,
    runsProgram: boolean,
    options: { secrets?: boolean; ignoreChanges?: IgnoreChangesRule[]; existing?: boolean; portFile?: string } = {},
  ): Promise<Stack> {
    // `pulumi cancel` decrypts nothing: unlock must work without the stack's passphrase.
    const secrets = options.secrets !== false;
    // Never fall back on the job's other passphrase: name the stack's own variable instead.
    if (secrets && !hasSecretsAccess(def, this.options.env)) checkPassphrase(this.options.env, passphraseVariable(def));
    const program: ProgramRun | undefined = runsProgram ? { ignoreChanges: options.ignoreChanges, portFile: options.portFile } : undefined;
    const stack = await this.openOn(def, program, this.options.backendUrl, this.workDir(def), options.existing);
    if (secrets && this.options.redactor) await this.learnStackSecrets(def, stack);
    return stack;
  }

  /** Opens the stack's workspace on `backendUrl` in `workDir`: the real stack, or a throwaway copy of it. */
  private async openOn(
    def: StackDefinition,
    /** What a run of the program needs; undefined when the operation runs none. */
    program: ProgramRun | undefined,
    backendUrl: string,
    workDir: string,
    /** Select only: a stack that does not exist throws StackNotFoundError instead of being created. */
    selectOnly = false,
  ): Promise<Stack> {
    const { layout } = this.options;
    await mkdir(workDir, { recursive: true });
    const workspace = await LocalWorkspace.create({
      workDir,
      pulumiCommand: this.command,
      envVars: this.stackEnvVars(def, backendUrl, program),
      // `stack init` reads the provider from here; the stack file's choice is passed on as is.
      ...(def.secretsProvider ? { secretsProvider: def.secretsProvider } : {}),
      // The program runs in its own process: Pulumi starts the language plugin of this runtime
      // (the program host), which loads programs/<program>/index.ts. `main` is the repository
      // root, where the dynamic-provider plugin resolves @pulumi/pulumi.
      projectSettings: {
        name: def.project,
        runtime: HOST_RUNTIME as ProjectSettings['runtime'],
        main: layout.root,
        backend: { url: backendUrl },
        // The program's own Pulumi.yaml declarations and defaults, applied by the CLI as Pulumi does.
        ...(def.programProject?.config ? { config: def.programProject.config } : {}),
        plugins: {
          languages: [{ name: HOST_RUNTIME, path: hostPluginDir() }],
          providers: [{ name: 'pulumi-nodejs', path: hostPluginDir() }],
          // Policy packs: the analyzer that starts them, confined like the program (see its script).
          analyzers: [{ name: 'policy-nodejs', path: hostPluginDir() }],
        },
      } as ProjectSettings,
    });
    const existing = await this.workspaceSettings(workspace, workDir, def.stack);
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
    return selectOnly ? Stack.select(def.stack, workspace) : Stack.createOrSelect(def.stack, workspace);
  }

  /**
   * The workspace's own `Pulumi.<stack>.yaml`, written by gitops from the stack file on every
   * run. One damaged (a kill mid-write, an edit) is removed and written anew from the stack
   * file: it holds nothing the stack file and the state do not.
   */
  private async workspaceSettings(workspace: LocalWorkspace, workDir: string, stack: string): Promise<StackSettings | undefined> {
    const file = path.join(workDir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) return undefined;
    try {
      return await workspace.stackSettings(stack);
    } catch {
      await rm(file, { force: true });
      return undefined;
    }
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
    const { stack: def, operation } = request;
    // A hung program (or provider) fails its own stack instead of holding the runner for ever.
    const limitMs = this.options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(limitMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    const timedOut = (): boolean => deadline.aborted && !request.signal?.aborted;
    const started = Date.now();
    // Values in the result are redacted as they are collected, before any report cuts them.
    const redact = (text: string): string => this.options.redactor?.redact(text) ?? text;
    const events = new EventCollector(def.name, sink, refreshOps.has(operation), Date.now, redact);
    const policy = request.policy && request.policy.packs.length > 0 ? new PolicyCollector(request.policy, redact) : undefined;
    if (policy) await rm(policyStderrFile(this.workDir(def)), { force: true });
    // A preview leaves alone a stack whose secrets this job holds no key to (a protected stack in a merge-request job).
    if (operation.endsWith('preview') && !hasSecretsAccess(def, this.options.env)) {
      const skipped = skippedResult(def.name, operation, NO_SECRETS_ACCESS, true);
      sink({ type: 'stack-done', stack: def.name, result: skipped });
      return skipped;
    }
    sink({ type: 'stack-start', stack: def.name, operation });
    let outputs: Record<string, unknown> | undefined;
    let updateVersion: number | undefined;
    let result: StackResult;
    let watch: { stop(): void } | undefined;
    let held: HeldLock | undefined;
    let warm: WarmHost | undefined;
    let publisher: GroupPublisher | undefined;
    try {
      await this.reap(def, sink);
      if (writingOps.has(operation)) {
        held = await this.takeLock(def);
        await this.clearAfterTakeover(def, held, sink);
        this.checkLock(def);
        const earlier = await this.reapEarlierRun(def, sink);
        publisher = earlier.publisher;
      }
      if (pendingGuardedOps.has(operation)) await this.checkUnknown(def);
      // The program host starts now, with the stack's environment and confinement, and readies
      // the SDK while the CLI starts (see `startWarmHost`).
      if (programOps.has(operation)) warm = this.startWarmHost(def, request.ignoreChanges, sink);
      // Destroy does not run the program; a deleted stack's program may be gone too.
      const stack = await this.open(def, !destroyOps.has(operation), { ignoreChanges: request.ignoreChanges, portFile: warm?.portFile });
      if (pendingGuardedOps.has(operation)) await this.checkPending(def, stack, held !== undefined, sink);
      const plan = request.plan && (await this.preparePlan(def, stack, operation, request.plan));
      const planFile = plan?.file ? { plan: plan.file } : {};
      watch = watchProcesses(this.workDir(def), publisher?.onGroups);
      const onEvent = policy ? policyEvents(def.name, policy, events.handle, sink) : events.handle;
      const common = { onEvent, signal, color: 'never' as const };
      const packs = policyOptions(request.policy);
      switch (operation) {
        case 'preview':
          await stack.preview({ ...common, diff: false, ...planFile, ...scope(request), ...packs });
          break;
        case 'up':
          {
            const up = await stack.up({ ...common, message: request.message, ...planFile, ...scope(request), ...packs });
            for (const o of Object.values(up.outputs)) if (o.secret) this.learnSecret(o.value);
            outputs = renderOutputs(up.outputs);
            updateVersion = await updateVersionOf(stack, up.summary.version);
            // Only after the update succeeded: a failed up must leave the record of what runs alone.
            if (request.commit) await this.tagDeployedCommit(def, stack, request.commit, sink);
          }
          break;
        case 'remediate-preview':
          await stack.preview({ ...common, refresh: true, diff: false, ...planFile, ...packs });
          break;
        case 'refresh-preview':
          await stack.previewRefresh(common);
          if (events.secretSuspects.size > 0) await this.findSecretDrift(def, stack, events, signal);
          if (policy) {
            await analyzeLiveState(this.stateCopy(def, stack, signal), request.policy!, policy, hostPluginDir());
            for (const v of policy.violations)
              sink({ type: 'diagnostic', stack: def.name, severity: 'warning', message: `live: ${violationLine(v)}` });
          }
          break;
        case 'refresh':
          // Never `clearPendingCreates`: it forgets resources that may exist (checkPending stops before that).
          await stack.refresh({ ...common, message: request.message });
          break;
        case 'destroy':
          updateVersion = await updateVersionOf(stack, (await stack.destroy({ ...common, message: request.message })).summary.version);
          // Nothing of any commit runs any more.
          await this.tagDeployedCommit(def, stack, undefined, sink);
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
        ...(updateVersion !== undefined ? { updateVersion } : {}),
        ...(operation === 'preview' ? { outputChanges: events.outputChangeList() } : {}),
        ...(plan?.state ? { planned: { file: plan.file, encryptionSalt: await planSalt(stack), state: plan.state } } : {}),
        ...(policy ? { policy: policy.outcome() } : {}),
      };
    } catch (err) {
      let error =
        err instanceof GitopsError
          ? err
          : (timedOut() && (await this.timedOutError(def, limitMs, err))) ||
            (!signal.aborted && warm && hostDeathError(def.name, warm.exited(), err)) ||
            (request.plan && planRejection(def.name, failureText(err, events), err)) ||
            (policy &&
              policyFailure(
                def.name,
                request.policy!,
                policy,
                redact(await policyFailureText(this.workDir(def), failureText(err, events))),
                err,
              )) ||
            classifyFailure(def, this.workDir(def), err, events, signal.aborted, this.onFileBackend);
      error = namedCheckpointError(def.name, error, this.stateWhere(def));
      if (error.code === 'CANCELLED' && writingOps.has(operation)) error = await this.cancelled(def, error);
      const unknown = err instanceof GitopsError || error.code !== 'PROVIDER_ERROR' ? undefined : inFlightCreates(err, events);
      // Still under our lock: the record is written before any other run can start on the stack.
      if (unknown && unknown.length > 0) error = await this.recordUnknown(def, unknown, error);
      result = {
        name: def.name,
        operation,
        status: error.code === 'CANCELLED' ? 'cancelled' : 'failed',
        changes: events.summary ?? {},
        resources: events.resourceList(),
        durationMs: Date.now() - started,
        error: { code: error.code, message: errorText(error) },
        ...(policy ? { policy: policy.outcome() } : {}),
      };
    } finally {
      warm?.stop();
      watch?.stop();
      await publisher?.finish();
      if (held) await this.releaseLock(def, held, sink);
    }
    sink({ type: 'stack-done', stack: def.name, result });
    return result;
  }

  /** A cancelled write, with what it left pending (read once the CLI has stopped). */
  private async cancelled(def: StackDefinition, error: GitopsError): Promise<GitopsError> {
    try {
      const stateFile = this.stateFile(def);
      const deployment = stateFile
        ? await readCheckpoint(stateFile)
        : (JSON.parse(await this.cli(def, ['stack', 'export', '--stack', def.stack])) as { deployment?: DeploymentState }).deployment;
      return cancelledOutcome(def.name, error, pendingOperationsOf(deployment));
    } catch (err) {
      return cancelledOutcome(def.name, error, undefined, (err as Error).message.split('\n')[0]);
    }
  }

  /** Starts the operation's program host ahead of the CLI (see `startWarmHost`). */
  private startWarmHost(def: StackDefinition, ignoreChanges: IgnoreChangesRule[] | undefined, sink: ProgressSink): WarmHost {
    const workDir = this.workDir(def);
    const portFile = warmHostPortFile(workDir);
    const env = this.stackEnvVars(def, this.options.backendUrl, { ignoreChanges, portFile, forHost: true });
    return startWarmHost({ stack: def.name, workDir, portFile, env, sink });
  }

  /** A stack stopped at its time limit: what it left running is killed, and the error says what happened. */
  private async timedOutError(def: StackDefinition, limitMs: number, cause: unknown): Promise<GitopsError> {
    const killed = await reapLeftovers(this.workDir(def), true);
    return new GitopsError({
      code: 'TIMED_OUT',
      kind: 'external',
      message: `stack ${def.name}: stopped after ${limitMs >= 60_000 ? `${Math.round(limitMs / 60_000)} minutes` : `${Math.round(limitMs / 1000)} s`}, its time limit${killed.length > 0 ? ` (killed ${killed.length} processes it left running)` : ''}`,
      hint: 'look for a program or provider that hangs; GITOPS_OPERATION_TIMEOUT (minutes) sets the limit',
      cause,
    });
  }

  /** Readies a plan-bound operation (see `preparePlan`). */
  private preparePlan(def: StackDefinition, stack: Stack, operation: Operation, plan: PlanRequest): Promise<PreparedPlan> {
    const where = {
      stateFile: this.stateFile(def),
      defaultFile: path.join(this.workDir(def), `${operation}.plan.json`),
      pinnedSalt: def.encryptionSalt,
    };
    return preparePlan(def.name, stack, operation, plan, where);
  }

  /** How to make a throwaway copy of the stack's state (see `withRefreshedCopy`). */
  private stateCopy(def: StackDefinition, stack: Stack, signal?: AbortSignal): StateCopy {
    return {
      stack,
      command: this.command,
      env: this.stackEnvVars(def),
      parentDir: path.join(this.options.layout.workDir, 'workspaces'),
      openCopy: (backendUrl, workDir) => this.openOn(def, undefined, backendUrl, workDir),
      signal,
    };
  }

  /** Adds drift in secret properties, which the events mask, by comparing decrypted values in memory. */
  private async findSecretDrift(def: StackDefinition, stack: Stack, events: EventCollector, signal?: AbortSignal): Promise<void> {
    const changes = await probeSecretDrift({ ...this.stateCopy(def, stack, signal), urns: events.secretSuspects });
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
  private async checkPending(def: StackDefinition, stack: Stack, locked: boolean, sink: ProgressSink): Promise<void> {
    const stateFile = this.stateFile(def);
    const deployment: DeploymentState | undefined = stateFile
      ? await readCheckpoint(stateFile)
      : ((await stack.exportStack()).deployment as DeploymentState);
    const pending = pendingOperationsOf(deployment);
    if (pending.length === 0) return;
    // Under our lock, what needs no decision is settled here, as `recover` would: no person is asked.
    if (!locked || !pending.every(settlesItself)) throw pendingOperationsError(def.name, pending);
    await recoverStack(
      { stack: def, imports: [], forgets: [] },
      {
        unknown: [],
        settleUnknown: async () => undefined,
        cli: (args) => this.cli(def, args),
        scratchFile: path.join(this.workDir(def), 'recover-state.json'),
        refresh: async () => undefined,
      },
    );
    sink({
      type: 'log',
      level: 'warning',
      message: `[${def.name}] dropped ${pending.length} pending operation(s) that needed no decision: ${pending.map(describePending).join('; ')}`,
    });
  }

  /** The store of unknown-outcome records (beside our locks), or undefined on backends without one. */
  private async unknownStore(): Promise<LockStore | undefined> {
    return (await this.stateLocks())?.ofKind('unknown');
  }

  /** Stops the stack while a run that lost its provider left creates of unknown outcome (see unknown-outcome.ts). */
  private async checkUnknown(def: StackDefinition): Promise<void> {
    const store = await this.unknownStore();
    if (!store) return;
    const creates = await readUnknownCreates(store, def);
    if (creates.length > 0) throw unknownOutcomeError(def.name, creates, store.where(def.project, def.stack));
  }

  /**
   * Records the creates a dead provider had in flight, so no later run creates them again
   * unseen; the error then says where, and how to settle them. A record that cannot be written
   * is said in the error too: the hint then warns that the next deploy creates them again.
   */
  private async recordUnknown(def: StackDefinition, urns: string[], error: GitopsError): Promise<GitopsError> {
    const store = await this.unknownStore();
    if (!store) return error;
    const creates = unknownCreatesOf(urns, {
      at: new Date().toISOString(),
      command: readProcess(process.pid)?.command ?? process.argv.join(' '),
      host: os.hostname(),
    });
    const where = store.where(def.project, def.stack);
    try {
      await recordUnknownCreates(store, def, creates);
    } catch (err) {
      return new GitopsError({
        code: error.code,
        kind: error.kind,
        message: error.message,
        details: [...error.details, `and they could not be recorded: ${(err as Error).message}`],
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error.cause,
      });
    }
    return new GitopsError({
      code: error.code,
      kind: error.kind,
      message: error.message,
      details: error.details,
      hint:
        `Pulumi keeps no pending operation for them, so gitops recorded them (${where}) and runs nothing on this stack until each is settled: ` +
        unknownSettleSteps(def.name),
      cause: error.cause,
    });
  }

  async unlock(def: StackDefinition, options: { force?: boolean } = {}): Promise<LockHolder[]> {
    await this.reap(def);
    const dir = fileBackendDir(this.options.backendUrl);
    const store = await this.stateLocks();
    const ref = { name: def.name, project: def.project, stack: def.stack };
    // Our own lock names its holder on every backend that has one; Pulumi's lock files can be read only on a file backend.
    const ours = store && (await readStackLock(store, ref));
    const pulumiLocks = dir ? readLockFiles(dir, def.project, def.stack, this.workDir(def)) : [];
    const holders = [...(ours ? [ours.holder] : []), ...pulumiLocks];
    if (!dir && !ours && !options.force) {
      // No lock of ours to judge by, and Pulumi keeps its own where we do not read it.
      throw new GitopsError({
        code: 'STACK_LOCKED',
        kind: 'user',
        message: `stack ${def.name}: cannot check who holds its lock on this backend`,
        hint: `make sure no run of it is in progress, then \`gitops unlock --stack ${def.name} --force\``,
      });
    }
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
    if (ours && store && (await removeStackLock(store, ref, ours)) === 'changed') {
      // Released and taken again while we looked: the new holder was never checked.
      throw new GitopsError({
        code: 'STACK_LOCKED',
        kind: 'external',
        message: `stack ${def.name}: another run took the lock while it was being checked; nothing was removed`,
        hint: `run \`gitops unlock --stack ${def.name}\` again to see who holds it now`,
      });
    }
    if (dir) removeLockFiles(pulumiLocks);
    // Off a file backend, Pulumi's lock was taken inside ours by the same run (or --force was given): `pulumi cancel` clears it.
    else await (await this.open(def, false, { secrets: false })).cancel();
    // The dead run's process groups: killed here; from another host, cleared only on --force (a person's word that it is gone).
    const processes = store?.ofKind('processes');
    if (processes) {
      const { elsewhere } = await reapEarlierRun(processes, ref);
      if (elsewhere && options.force) await clearGroups(processes, ref);
    }
    return holders;
  }

  async recover(request: RecoverRequest, sink: ProgressSink): Promise<RecoverOutcome> {
    const def = request.stack;
    await this.reap(def, sink);
    const held = await this.takeLock(def);
    const events = new EventCollector(def.name, sink, true);
    try {
      await this.clearAfterTakeover(def, held, sink);
      this.checkLock(def);
      const { elsewhere } = await this.reapEarlierRun(def, sink);
      if (elsewhere && request.forgets.length > 0) throw providersElsewhereError(def.name, elsewhere);
      const stack = await this.open(def, false);
      const unknownStore = await this.unknownStore();
      return await recoverStack(request, {
        unknown: unknownStore ? await readUnknownCreates(unknownStore, def) : [],
        settleUnknown: async (urns) => {
          if (unknownStore) await settleUnknownCreates(unknownStore, def, urns);
        },
        cli: (args) => this.cli(def, args, request.signal),
        scratchFile: path.join(this.workDir(def), 'recover-state.json'),
        refresh: async (target) => {
          await stack.refresh({ target, message: 'gitops recover', onEvent: events.handle, signal: request.signal, color: 'never' });
        },
      });
    } catch (err) {
      throw err instanceof GitopsError
        ? err
        : namedCheckpointError(
            def.name,
            classifyFailure(def, this.workDir(def), err, events, request.signal?.aborted ?? false, this.onFileBackend),
            this.stateWhere(def),
          );
    } finally {
      if (held) await this.releaseLock(def, held, sink);
    }
  }

  /** Runs `pulumi <args>` in the stack's workspace; returns stdout. */
  private cli(def: StackDefinition, args: string[], signal?: AbortSignal): Promise<string> {
    const env = this.stackEnvVars(def);
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

  /**
   * Sets the stack's `gitops:commit` tag, or with no commit, sets it to {@link noCommitTag}: a
   * DIY backend never saves an empty tag set (Pulumi 3.248 skips the write), so removing a
   * stack's only tag would leave the destroyed commit on record. The update itself already
   * succeeded and its message names the commit, so a failure here is a warning, not a failed
   * deploy: the stale tag then names an older commit, which only makes later runs redo more.
   */
  private async tagDeployedCommit(def: StackDefinition, stack: Stack, commit: string | undefined, sink: ProgressSink): Promise<void> {
    try {
      if (commit) await stack.setTag(deployedCommitTag, commit);
      else if ((await stack.listTags())[deployedCommitTag] !== undefined) await stack.setTag(deployedCommitTag, noCommitTag);
    } catch (err) {
      const what = commit ? `record ${commit.slice(0, 12)} as deployed` : 'clear its deployed commit';
      sink({
        type: 'log',
        level: 'warning',
        message: `[${def.name}] could not ${what} in the stack tag ${deployedCommitTag}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      });
    }
  }

  deployRecords(stacks: readonly StackDefinition[], needs?: RecordNeeds): Promise<Map<string, RecordRead>> {
    return this.records.read(stacks, needs);
  }

  lastDeployedCommit(def: StackDefinition): Promise<string | undefined> {
    return this.records.commitOf(def);
  }

  /** The CLI path: the stack's tags, else its history, through Pulumi (backends not read directly). */
  async lastDeployedCommitViaCli(def: StackDefinition): Promise<string | undefined> {
    // Opening would create a stack that does not exist; a file backend tells without the CLI.
    const stateFile = this.stateFile(def);
    if (stateFile && !existsSync(stateFile)) return undefined;
    try {
      // Tags and update messages are plain text: no passphrase is needed to read them. Reading never creates the stack.
      let stack: Stack;
      try {
        stack = await this.open(def, false, { secrets: false, existing: true });
      } catch (err) {
        if (err instanceof StackNotFoundError) return undefined;
        throw err;
      }
      const tagged = commitOfTag((await stack.listTags())[deployedCommitTag]);
      if (tagged) return tagged;
      // Stacks deployed before the tag existed: newest first; only the messages are needed, so secrets stay encrypted.
      const updates = await stack.history(100, 1, false);
      return lastDeployedCommitOf(updates);
    } catch (err) {
      // The backend refused or failed (credentials, network): one clear error naming the stack, not the CLI's dump.
      if (err instanceof GitopsError) throw err;
      throw classifyFailure(def, this.workDir(def), err, new EventCollector(def.name, () => undefined, false), false, this.onFileBackend);
    }
  }

  async outputs(def: StackDefinition): Promise<Record<string, StackOutput> | undefined> {
    // Opening would create a stack that does not exist; a file backend tells without the CLI.
    const stateFile = this.stateFile(def);
    if (stateFile && !existsSync(stateFile)) return undefined;
    const stack = await this.open(def, false);
    const outputs = await stack.outputs();
    for (const o of Object.values(outputs)) if (o.secret) this.learnSecret(o.value);
    return Object.fromEntries(Object.entries(outputs).map(([k, o]) => [k, { value: o.value, secret: o.secret }]));
  }
}

const dynamicProviders = new Map<string, Record<string, string>>();

/**
 * Where the dynamic-provider plugin finds its script (`@pulumi/pulumi/cmd/dynamic-provider`, from
 * the project's folder), resolved once per repository instead of by a `node` start per plugin
 * start; empty when it cannot be resolved here (the plugin script then resolves it itself).
 */
function dynamicProviderScript(root: string): Record<string, string> {
  let found = dynamicProviders.get(root);
  if (!found) {
    try {
      found = { GITOPS_DYNAMIC_PROVIDER: createRequire(path.join(root, 'package.json')).resolve('@pulumi/pulumi/cmd/dynamic-provider') };
    } catch {
      found = {};
    }
    dynamicProviders.set(root, found);
  }
  return found;
}

/** Operations that run the program. */
const programOps = new Set<Operation>(['preview', 'up', 'remediate-preview']);

/** What a run of the program needs beyond the stack: drift remediation's fields managed elsewhere. */
interface ProgramRun {
  ignoreChanges?: IgnoreChangesRule[];
  /** The warm host's port file: for the CLI's plugin script, and the host itself (see `HostSettings.portFile`). */
  portFile?: string;
  /** Build the host's own settings (with `portFile`), not the CLI's. */
  forHost?: boolean;
}

/** `--target` and `--refresh` of a preview or up, as the Automation API takes them. */
function scope(request: RunRequest): { target?: string[]; refresh?: boolean } {
  return {
    ...(request.targets && request.targets.length > 0 ? { target: [...request.targets] } : {}),
    ...(request.refresh ? { refresh: true } : {}),
  };
}

/** A failure's text and the engine's diagnostics, where a plan rejection shows. */
function failureText(err: unknown, events: EventCollector): string {
  return [err instanceof Error ? err.message : String(err), ...events.errors.map((e) => e.message)].join('\n');
}

/** An error as one result message: what, the lines of detail, and the hint. */
function errorText(error: GitopsError): string {
  const lines = [error.message, ...error.details.map((d) => `  ${d}`)];
  return error.hint ? `${lines.join('\n')}\n  (${error.hint})` : lines.join('\n');
}

function renderOutputs(outputs: OutputMap): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.secret ? '[secret]' : v.value]));
}
