import type { RepoLayout } from '../repo/layout.js';
import type { Redactor } from '../secrets/redact.js';
import type { PulumiToolchain } from '../toolchain/pulumi-cli.js';
import type { ProgramSandbox } from './program-sandbox.js';

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
  /** Keep the backend's records index up to date after reading records (see `records-index.ts`); default read it only. */
  writesRecordsIndex?: boolean;
}

/** Two hours: longer than any sane single-stack update, short enough that a hung program frees its runner. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 2 * 60 * 60 * 1000;
