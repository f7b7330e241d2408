import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitopsError } from '../errors/gitops-error.js';
import { onPath } from './on-path.js';
import { assertToolchainAllowed } from './toolchain-guard.js';

/** A Go binary to build from the module proxy, inside a small wrapper module of our own. */
export interface GoBuildSpec {
  /** Human name for progress messages. */
  label: string;
  mainPackage: string;
  requires: Readonly<Record<string, string>>;
  replaces?: Readonly<Record<string, string>>;
  ldflags?: string;
  tags?: string;
  /** Where the binary goes. Written atomically: a half-built binary never appears here. */
  output: string;
  /**
   * Runs in the wrapper module after its go.mod is written, before `go build`: to add a
   * main.go, or to place a patched copy of a dependency there (with a `replaces` entry to it).
   */
  prepare?: (workDir: string, go: string) => Promise<void>;
}

export type Log = (line: string) => void;

/** Finds a Go toolchain: $GO, `go` on PATH, then /usr/local/go. */
export function findGo(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GO && existsSync(env.GO)) return env.GO;
  return onPath(env, 'go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export function wrapperGoMod(spec: GoBuildSpec): string {
  const requires = Object.entries(spec.requires)
    .map(([m, v]) => `\t${m} ${v}`)
    .join('\n');
  const replaces = Object.entries(spec.replaces ?? {})
    .map(([m, to]) => `replace ${m} => ${to}`)
    .join('\n');
  return `module gitops.local/build\n\ngo 1.25\n\nrequire (\n${requires}\n)\n\n${replaces}\n`;
}

/** Where `go mod download` put a module: its extracted folder (read-only) and its go.mod. */
export interface DownloadedModule {
  Dir: string;
  GoMod: string;
}

/** Downloads `module@version` through the module proxy, for a `prepare` step to read or copy. */
export async function goModDownload(go: string, module: string, version: string, env: NodeJS.ProcessEnv): Promise<DownloadedModule> {
  try {
    const args = ['mod', 'download', '-json', `${module}@${version}`];
    const { stdout } = await promisify(execFile)(go, args, { env: { ...env, GOFLAGS: '-mod=mod' }, maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as DownloadedModule;
  } catch (err) {
    throw new GitopsError({
      code: 'TOOLCHAIN_MISSING',
      kind: 'external',
      message: `cannot download Go module ${module}@${version}: ${(err as { stdout?: string }).stdout || String(err)}`,
      hint: 'check that the Go module proxy is reachable (GOPROXY)',
      cause: err,
    });
  }
}

/**
 * Builds `spec.mainPackage` with `go build -v`, reporting progress every `intervalMs`
 * (the first build downloads modules and compiles for several minutes).
 */
export async function goBuild(spec: GoBuildSpec, env: NodeJS.ProcessEnv, log: Log, intervalMs = 15_000): Promise<void> {
  assertToolchainAllowed(env, spec.label);
  const go = findGo(env);
  if (!go) {
    throw new GitopsError({
      code: 'TOOLCHAIN_MISSING',
      kind: 'external',
      message: `cannot build ${spec.label}: no Go toolchain found ($GO, PATH, /usr/local/go)`,
      hint: 'install Go 1.25 or newer (https://go.dev/dl), or install the Pulumi CLI yourself',
    });
  }
  await mkdir(path.dirname(spec.output), { recursive: true });
  const workDir = await mkdtemp(path.join(path.dirname(spec.output), '.build-'));
  const tmpOut = path.join(workDir, path.basename(spec.output));
  try {
    await writeFile(path.join(workDir, 'go.mod'), wrapperGoMod(spec));
    if (spec.prepare) await spec.prepare(workDir, go);
    const args = ['build', '-v', '-mod=mod', '-trimpath', '-o', tmpOut];
    if (spec.tags) args.push('-tags', spec.tags);
    if (spec.ldflags) args.push('-ldflags', spec.ldflags);
    args.push(spec.mainPackage);
    const started = Date.now();
    log(`building ${spec.label} from the Go module proxy with ${go}; the first build takes several minutes`);
    let compiled = 0;
    let downloaded = 0;
    const tail: string[] = [];
    const goEnv = { ...env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod', GOTOOLCHAIN: env.GOTOOLCHAIN ?? 'auto' };
    const child = spawn(go, args, { cwd: workDir, env: goEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = (line: string): void => {
      if (line.startsWith('go: downloading')) downloaded++;
      else if (line && !line.includes(' ')) compiled++;
      tail.push(line);
      if (tail.length > 30) tail.shift();
    };
    let buffer = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      lines.forEach(onLine);
    });
    child.stdout.resume();
    const timer = setInterval(() => {
      const secs = Math.round((Date.now() - started) / 1000);
      log(`  ${spec.label}: ${downloaded} modules downloaded, ${compiled} packages compiled (${secs}s)`);
    }, intervalMs);
    const code = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
    }).finally(() => clearInterval(timer));
    if (code !== 0) {
      throw new GitopsError({
        code: 'TOOLCHAIN_MISSING',
        kind: 'external',
        message: `building ${spec.label} failed (go build exited ${code}):\n${tail.join('\n')}`,
        hint: 'check that the Go module proxy is reachable (GOPROXY), or install the Pulumi CLI yourself',
      });
    }
    await rename(tmpOut, spec.output);
    log(`built ${spec.label} in ${Math.round((Date.now() - started) / 1000)}s: ${spec.output}`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
