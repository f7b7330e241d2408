import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/sandbox.js';

const confine = path.join(repoRoot, 'bin', 'plugins', 'gitops-confine');

/**
 * Runs the confined side of gitops-confine (`--inside`, as pid 1 of its namespace would, with
 * nothing to mount) around `command`, stops it as Pulumi stops a plugin (SIGINT) once `ready`
 * appears on stderr, and returns what it printed and how it ended.
 */
function stopInside(command: string): Promise<{ stderr: string; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [confine, '--inside', 'sh', '-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let stopping = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // A moment for the shell to set its trap after starting the command.
      if (stderr.includes('ready') && !stopping) setTimeout(() => child.kill('SIGINT'), 200);
      stopping ||= stderr.includes('ready');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ stderr, code, signal }));
  });
}

describe('gitops-confine stopped by the engine', () => {
  it("passes the command's own stderr through, and adds no shell notice such as 'Killed' (the engine shows every line as a diagnostic)", async () => {
    const r = await stopInside('echo ready >&2; exec sleep 30');
    expect(r.stderr).toBe('ready\n');
    expect(r.code).toBe(137);
  });
});
