import { spawn } from 'node:child_process';

export interface Measured {
  code: number;
  wallMs: number;
  /** Peak resident memory of the process tree's largest member, from GNU time (KiB -> MiB). */
  peakMiB: number;
  /** CPU seconds (user + system) of the process and the children it waited for: unlike wall time, not inflated by other load on the machine. */
  cpuS: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command under `/usr/bin/time -f %M` (peak RSS of the largest process it waited for)
 * and measures wall time.
 */
export function measure(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Measured> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '__PEAK_KIB__%M __CPU__%U+%S', cmd, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /__PEAK_KIB__(\d+)/.exec(stderr);
      const cpu = /__CPU__([\d.]+)\+([\d.]+)/.exec(stderr);
      resolve({
        code: code ?? -1,
        wallMs,
        peakMiB: m ? Number(m[1]) / 1024 : NaN,
        cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : NaN,
        stdout,
        stderr: stderr.replace(/__PEAK_KIB__\d+( __CPU__[\d.+]+)?\n?/, ''),
      });
    });
  });
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
