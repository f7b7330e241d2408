import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { hostPluginDir } from '../program-host/plugin-dir.js';
import type { ProgressSink } from './progress.js';

/** A program host started ahead of the CLI for one operation. */
export interface WarmHost {
  portFile: string;
  /** How the host ended, if it did before `stop()`: only a dead host has it. */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  stop(): void;
}

/** Where a stack's warm host writes its port, for the plugin script the CLI starts. */
export function warmHostPortFile(workDir: string): string {
  return path.join(workDir, 'program-host.port');
}

/**
 * Starts the program host of one operation ahead of the Pulumi CLI, with `env` (the stack's
 * environment, with the host's settings) and the confinement gitops-confine gives it, readying
 * the SDK and the TypeScript loader while the CLI starts. The plugin script the CLI starts only
 * hands the CLI the host's port. What the program prints arrives here and goes on as diagnostics
 * of the stack (redacted when printed, never to stdout). `stop()` ends it with everything it started.
 */
export function startWarmHost(options: {
  stack: string;
  workDir: string;
  portFile: string;
  env: Record<string, string>;
  sink: ProgressSink;
}): WarmHost {
  const { stack, workDir, portFile, env, sink } = options;
  mkdirSync(workDir, { recursive: true });
  rmSync(portFile, { force: true });
  const plugins = hostPluginDir();
  // A process group of its own, so stopping it reaches every process it started, also one that a
  // kill right after the start would otherwise orphan (before unshare ties its child to it).
  const child = spawn(path.join(plugins, 'gitops-confine'), [process.execPath, path.join(plugins, '..', 'program-host.js')], {
    cwd: workDir,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) ended = { code, signal };
  });
  child.on('error', (err) => sink({ type: 'log', level: 'warning', message: `[${stack}] the program host did not start: ${err.message}` }));
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (line.trim() !== '') sink({ type: 'diagnostic', stack, severity: 'info', message: line.trim() });
    });
  }
  return {
    portFile,
    exited: () => ended,
    stop: () => {
      stopping = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      // Whatever holds its output open, the driver does not wait on it.
      child.stdout?.destroy();
      child.stderr?.destroy();
      rmSync(portFile, { force: true });
    },
  };
}
