import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LocalWorkspace, type ProjectSettings, Stack, type StackSettings } from '@pulumi/pulumi/automation/index.js';
import { checkPassphrase, fileBackendDir } from '../backend/backend-url.js';
import type { IgnoreChangesRule } from '../program-host/ignore-changes.js';
import { hostPluginDir } from '../program-host/plugin-dir.js';
import { encodeHostSettings, HIDDEN_VARIABLE, HOST_RUNTIME, PORT_FILE_VARIABLE } from '../program-host/settings.js';
import { programEntry } from '../stacks/program-project.js';
import { isSecureValue, type StackDefinition } from '../stacks/schema.js';
import type { PulumiToolchain } from '../toolchain/pulumi-cli.js';
import { stateLocation } from './checkpoint-error.js';
import { DEFAULT_OPERATION_TIMEOUT_MS, type PulumiEngineOptions } from './engine-options.js';
import { isolatedCommand } from './isolated-command.js';
import { deploymentSecrets } from './learn-secrets.js';
import { POLICY_STDERR_VARIABLE, policyStderrFile } from './policy-failure.js';
import { PROTECTED_VARIABLE, protectedFolders, READONLY_VARIABLE, SANDBOX_VARIABLE } from './program-sandbox.js';
import { hasSecretsAccess, passphraseVariable, usesPassphrase } from './secrets-provider.js';
import { stackEnvironment } from './stack-env.js';

/**
 * Where each stack's operations run: its local workspace (one folder per stack), the CLI's
 * environment for it, and the stack opened there with its config written in one step. Learns
 * the stack's secrets as it opens it, so no report can print them.
 */
export class StackWorkspaces {
  /** The CLI, run with exactly the environment each stack is given (see `isolatedCommand`). */
  readonly command: PulumiToolchain['command'];

  constructor(readonly options: PulumiEngineOptions) {
    // A stopped run gets as long to wind down as it had to run, up to a minute.
    this.command = isolatedCommand(options.toolchain.command, Math.min(60_000, options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS));
  }

  /** Whether the state is on a local file backend, where lock files can be read and checked. */
  get onFileBackend(): boolean {
    return fileBackendDir(this.options.backendUrl) !== undefined;
  }

  workDir(def: StackDefinition): string {
    return path.join(this.options.layout.workDir, 'workspaces', def.name);
  }

  /** Where the stack's state is, for messages: the file, or the object on the backend. */
  stateWhere(def: StackDefinition): string {
    return this.stateFile(def) ?? stateLocation(this.options.backendUrl, def.project, def.stack);
  }

  /** The state file of a stack on a file backend; undefined for other backends. */
  stateFile(def: StackDefinition): string | undefined {
    const dir = fileBackendDir(this.options.backendUrl);
    return dir && path.join(dir, '.pulumi', 'stacks', def.project, `${def.stack}.json`);
  }

  /**
   * The CLI environment of one stack: what `stackEnvironment` allows it (never the job's forge
   * tokens or other stacks' passphrases), the engine's own settings, and for runs of the program
   * what its host needs to know. The program host finds itself on PATH.
   */
  envVars(def: StackDefinition, backendUrl = this.options.backendUrl, program?: ProgramRun): Record<string, string> {
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
      [PROTECTED_VARIABLE]: protectedFolders(this.options.env, toolchain),
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
  async open(
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
  async openOn(
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
      envVars: this.envVars(def, backendUrl, program),
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

  learnSecret(value: unknown): void {
    if (value === undefined || value === null) return;
    if (typeof value === 'string') this.options.redactor?.add(value);
    else if (typeof value === 'object') for (const v of Object.values(value)) this.learnSecret(v);
    else this.options.redactor?.add(String(value));
  }

  /** Runs `pulumi <args>` in the stack's workspace; returns stdout. */
  cli(def: StackDefinition, args: string[], signal?: AbortSignal): Promise<string> {
    const env = this.envVars(def);
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

/** What a run of the program needs beyond the stack: drift remediation's fields managed elsewhere. */
export interface ProgramRun {
  ignoreChanges?: IgnoreChangesRule[];
  /** The warm host's port file: for the CLI's plugin script, and the host itself (see `HostSettings.portFile`). */
  portFile?: string;
  /** Build the host's own settings (with `portFile`), not the CLI's. */
  forHost?: boolean;
}
