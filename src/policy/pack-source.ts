import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { GitopsError } from '../errors/gitops-error.js';

const run = promisify(execFile);

/** Where a pack's files come from: a commit (the protected side), or the working tree (a local run). */
export type PackOrigin = { commit: string } | { worktree: true };

/** The prepared pack's content id: the git tree of `policies/<pack>` at the commit, or a hash of the working tree's files. */
async function contentId(root: string, pack: string, origin: PackOrigin): Promise<string | undefined> {
  if ('commit' in origin) {
    try {
      return (
        (await run('git', ['rev-parse', '--verify', '--quiet', `${origin.commit}:./policies/${pack}`], { cwd: root })).stdout.trim() ||
        undefined
      );
    } catch {
      return undefined;
    }
  }
  const dir = path.join(root, 'policies', pack);
  if (!existsSync(dir)) return undefined;
  const hash = createHash('sha256');
  for (const file of (await readdir(dir, { recursive: true })).filter((f) => !f.split(path.sep).includes('node_modules')).sort()) {
    const abs = path.join(dir, file);
    const body = await readFile(abs).catch(() => undefined);
    if (body) hash.update(`${file}\0${body.length}\0`).update(body);
  }
  return `wt-${hash.digest('hex').slice(0, 32)}`;
}

/** Writes the files of `policies/<pack>` at the commit into `dir` (git archive, no checkout). */
function extract(root: string, id: string, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const archive = spawn('git', ['archive', '--format=tar', id], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const untar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    archive.stdout.pipe(untar.stdin);
    let err = '';
    archive.stderr.on('data', (d: Buffer) => (err += d));
    untar.stderr.on('data', (d: Buffer) => (err += d));
    untar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`git archive ${id} | tar failed: ${err.trim()}`))));
    archive.on('error', reject);
    untar.on('error', reject);
  });
}

/**
 * Compiles the pack's TypeScript files to JavaScript beside them: Pulumi's pack runner would
 * type-check them with an old vendored compiler at every start. Types are not checked here.
 */
async function compile(pack: string, dir: string): Promise<void> {
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
    const source = await readFile(path.join(dir, file), 'utf8');
    try {
      const out = await transform(source, { loader: 'ts', format: 'cjs', target: 'node20', sourcefile: file });
      await writeFile(path.join(dir, file.replace(/\.ts$/, '.js')), out.code);
    } catch (err) {
      throw new GitopsError({
        code: 'POLICY_PACK',
        kind: 'user',
        message: `policy pack ${pack}: policies/${pack}/${file} does not compile: ${(err as Error).message.split('\n')[0]}`,
        cause: err,
      });
    }
  }
}

/**
 * Prepares a copy of `policies/<pack>` from `origin` under `cacheDir/packs/<content id>` and
 * returns its folder, or undefined when the pack does not exist there. The copy lives outside the
 * checkout, so neither the merge request's files nor its program can change what runs; a copy is
 * made once per content and swapped in whole.
 */
export async function preparePackFiles(
  root: string,
  pack: string,
  origin: PackOrigin,
  cacheDir: string,
  /** Gives the staged copy its dependencies before it is swapped in. */
  deps: (dir: string) => Promise<void>,
): Promise<string | undefined> {
  const id = await contentId(root, pack, origin);
  if (!id) return undefined;
  const dest = path.join(cacheDir, 'packs', id);
  if (existsSync(path.join(dest, '.ready'))) return dest;
  await mkdir(path.dirname(dest), { recursive: true });
  const staging = await mkdtemp(`${dest}.staging-`);
  try {
    if ('commit' in origin) await extract(root, id, staging);
    else await cp(path.join(root, 'policies', pack), staging, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
    if (!existsSync(path.join(staging, 'PulumiPolicy.yaml'))) {
      throw new GitopsError({
        code: 'POLICY_PACK',
        kind: 'user',
        message: `policy pack ${pack}: policies/${pack}/PulumiPolicy.yaml is missing`,
      });
    }
    await compile(pack, staging);
    await deps(staging);
    await writeFile(path.join(staging, '.ready'), `${id}\n`);
    await rm(dest, { recursive: true, force: true });
    await rename(staging, dest);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    // Another run swapped in the same content first: use it.
    if (existsSync(path.join(dest, '.ready'))) return dest;
    throw err;
  }
  return dest;
}
