import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { computeAffected } from '../../src/affected/affected.js';
import { programImportGraph } from '../../src/affected/affected-from-changes.js';
import { Git } from '../../src/git/git.js';
import { layoutAt } from '../../src/repo/layout.js';
import { loadStacks, type StackCatalog } from '../../src/stacks/load.js';
import { gitEnv, runGit, stackYaml, writeTree } from '../helpers/git-repo.js';
import { repoRoot } from '../helpers/sandbox.js';
import type { Bench } from './bench-types.js';
import { type Measured, measure, median } from './measure.js';

const STACKS = 1000;
const PROGRAMS = 200;
const LIBS = 40;
const FILES = 50_000;
const RUNS = 7;
/** Files the programs reach: 200 programs x 11 files, 40 libraries x 11 files. */
const FILES_READ = PROGRAMS * 11 + LIBS * 11;

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const lib = (i: number) => `lib/lib${pad(i, 2)}`;

/**
 * A large GitOps repository: 40 shared libraries (11 files each, chained by fives), 200
 * programs (11 files each, importing 3 libraries), 1,000 stacks in groups of ten (each
 * depending on its group's first), and documentation and assets up to 50,000 files.
 */
export function largeRepoFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'Pulumi.yaml': 'name: large\nruntime: nodejs\n',
    'package.json': '{"type":"module","private":true}\n',
    'package-lock.json': '{"lockfileVersion":3}\n',
    'tsconfig.json': '{"compilerOptions":{"module":"NodeNext"}}\n',
    '.gitignore': 'node_modules/\n.gitops/\n',
  };
  for (let l = 0; l < LIBS; l++) {
    const next = l % 5 === 4 ? '' : `import { v0 as up } from '../lib${pad(l + 1, 2)}/index.js';\nexport const chained = up;\n`;
    files[`${lib(l)}/index.ts`] = `${next}${Array.from({ length: 10 }, (_, m) => `export * from './m${m}.js';`).join('\n')}\n`;
    for (let m = 0; m < 10; m++) {
      const dep = m < 9 ? `import { v${m + 1} } from './m${m + 1}.js';\n` : '';
      files[`${lib(l)}/m${m}.ts`] = `${dep}// module ${m} of library ${l}\nexport const v${m} = ${m}${m < 9 ? ` + v${m + 1}` : ''};\n`;
    }
  }
  for (let p = 0; p < PROGRAMS; p++) {
    const dir = `programs/p${pad(p, 3)}`;
    const libs = [p % LIBS, (p * 7 + 3) % LIBS, (p * 13 + 5) % LIBS];
    files[`${dir}/index.ts`] = [
      "import * as pulumi from '@pulumi/pulumi';",
      ...libs.map((l, i) => `import * as l${i} from '../../${lib(l)}/index.js';`),
      ...Array.from({ length: 10 }, (_, k) => `import { part${k} } from './part-${k}.js';`),
      'export default async () => ({ stack: pulumi.getStack(), v: [l0, l1, l2].length + part0 });',
      '',
    ].join('\n');
    for (let k = 0; k < 10; k++) files[`${dir}/part-${k}.ts`] = `export const part${k} = ${k};\n`;
  }
  for (let s = 0; s < STACKS; s++) {
    const group = s - (s % 10);
    files[`stacks/stack-${pad(s, 4)}.yaml`] = stackYaml(`p${pad(s % PROGRAMS, 3)}`, {
      dependsOn: s % 10 === 0 ? [] : [`stack-${pad(group, 4)}`],
      allowDestroy: s % 2 === 0,
    });
  }
  const filler = FILES - Object.keys(files).length;
  for (let i = 0; i < filler; i++) files[`assets/d${pad(i % 100, 2)}/f${pad(i, 5)}.txt`] = `asset ${i}\n`;
  return files;
}

function timed(cmd: string, args: readonly string[], cwd: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, [...args], { cwd, env: gitEnv, maxBuffer: 1 << 26 }, (err) => (err ? reject(err) : resolve(performance.now() - started)));
  });
}

/** Writes the repository, commits it on main, then the merge request branches and a main that moved on. */
async function generate(root: string): Promise<void> {
  const files = largeRepoFiles();
  writeTree(root, files);
  await runGit(root, ['init', '--quiet', '--initial-branch=main']);
  // No background gc: it would race the clean-up, and its cost would land in the timings.
  await runGit(root, ['config', 'gc.auto', '0']);
  await runGit(root, ['add', '-A']);
  await runGit(root, ['commit', '--quiet', '-m', 'large repository']);
  // "feature": a shared library module, a program file and a stack file change.
  await runGit(root, ['checkout', '--quiet', '-b', 'feature']);
  writeTree(root, {
    [`${lib(7)}/m3.ts`]: "import { v4 } from './m4.js';\nexport const v3 = 30 + v4;\n",
    'programs/p123/part-2.ts': 'export const part2 = 22;\n',
    'stacks/stack-0500.yaml': `${files['stacks/stack-0500.yaml']}description: changed\n`,
  });
  await runGit(root, ['commit', '--quiet', '-am', 'feature']);
  // "feature-delete": the same, and a stack file deleted (its last definition is read from git).
  await runGit(root, ['checkout', '--quiet', '-b', 'feature-delete']);
  await rm(path.join(root, 'stacks/stack-0999.yaml'));
  await runGit(root, ['commit', '--quiet', '-am', 'delete a stack']);
  // Main moves on meanwhile, so base and merge-base differ.
  await runGit(root, ['checkout', '--quiet', 'main']);
  writeTree(root, { 'programs/p005/part-1.ts': 'export const part1 = 11;\n', 'assets/d00/f00000.txt': 'changed\n' });
  await runGit(root, ['commit', '--quiet', '-am', 'main moves on']);
}

/** A fresh process that loads the catalogue and computes the affected stacks, printing its own timings. */
const childScript = (root: string) => `
import { computeAffected } from ${JSON.stringify(path.join(repoRoot, 'src/affected/affected.ts'))};
import { layoutAt } from ${JSON.stringify(path.join(repoRoot, 'src/repo/layout.ts'))};
import { loadStacks } from ${JSON.stringify(path.join(repoRoot, 'src/stacks/load.ts'))};
const t0 = performance.now();
const layout = layoutAt(${JSON.stringify(root)});
const catalog = await loadStacks(layout);
const t1 = performance.now();
const r = await computeAffected({ layout, catalog, base: 'main', head: 'feature' });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ catalogMs: t1 - t0, affectedMs: t2 - t1, stacks: r.stacks.length }));
`;

interface Scenario {
  branch: string;
  gitMs: number;
  /** computeAffected with the import graph cache of the previous run (the default). */
  libraryMs: number;
  /** computeAffected without a cache: every program file read, scanned and resolved. */
  coldMs: number;
  /** The library's two git processes alone (rev-parse with the merge-base, and the diff), in parallel. */
  gitPartMs: number;
  /** The library's import graph alone, from the cache: every file the programs reach stamped, none read. */
  graphPartMs: number;
  /** The same without a cache: read, scanned and resolved. */
  coldGraphPartMs: number;
  stacks: number;
}

/** git diff and computeAffected on the same range, alternating, RUNS times each. */
async function compare(root: string, branch: string, catalog: StackCatalog): Promise<Scenario> {
  const layout = layoutAt(root);
  await runGit(root, ['checkout', '--quiet', branch]);
  const diffArgs = ['diff', '--name-only', `main...${branch}`];
  const git = new Git(root);
  const list = () => [] as number[];
  const runs = { git: list(), lib: list(), cold: list(), gitPart: list(), graphPart: list(), coldGraph: list() };
  const time = async (into: number[], fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    into.push(performance.now() - started);
  };
  let stacks = 0;
  await timed('git', diffArgs, root); // warm the page cache and the JIT for both
  await computeAffected({ layout, catalog, base: 'main', head: branch });
  for (let i = 0; i < RUNS; i++) {
    runs.git.push(await timed('git', diffArgs, root));
    await time(runs.lib, async () => (stacks = (await computeAffected({ layout, catalog, base: 'main', head: branch })).stacks.length));
    const uncached = () => programImportGraph(catalog, layout, { cache: false });
    await time(runs.cold, () => computeAffected({ layout, catalog, base: 'main', head: branch, graph: uncached() }));
    await time(runs.gitPart, () =>
      Promise.all([git.changedFiles('main', branch, { fromMergeBase: true }), git.inspectRange('main', branch)]),
    );
    await time(runs.graphPart, () => programImportGraph(catalog, layout).build());
    await time(runs.coldGraph, () => uncached().build());
  }
  return {
    branch,
    gitMs: median(runs.git),
    libraryMs: median(runs.lib),
    coldMs: median(runs.cold),
    gitPartMs: median(runs.gitPart),
    graphPartMs: median(runs.graphPart),
    coldGraphPartMs: median(runs.coldGraph),
    stacks,
  };
}

const bench: Bench = {
  name: 'affected',
  async run(log) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gitops-bench-affected-'));
    try {
      const root = path.join(dir, 'repo');
      let t = performance.now();
      await generate(root);
      log(
        `generated ${FILES} files (${STACKS} stacks, ${PROGRAMS} programs, ${LIBS} libraries) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      await runGit(root, ['checkout', '--quiet', 'feature']);
      const layout = layoutAt(root);
      t = performance.now();
      const catalog = await loadStacks(layout);
      const catalogMs = performance.now() - t;
      t = performance.now();
      const graph = programImportGraph(catalog, layout, { cache: false });
      graph.step();
      const graphMs = performance.now() - t;

      const modify = await compare(root, 'feature', catalog);
      const remove = await compare(root, 'feature-delete', catalog);
      await runGit(root, ['checkout', '--quiet', 'feature']);
      // What starting any process costs here: the floor under every git call.
      const spawnMs: number[] = [];
      for (let i = 0; i < RUNS; i++) spawnMs.push(await timed('git', ['--version'], root));
      const gitPeak = await measure('git', ['diff', '--name-only', 'main...feature'], { cwd: root, env: gitEnv });

      const script = path.join(dir, 'affected-child.mts');
      await writeFile(script, childScript(root));
      const child = await measure(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot });
      if (child.code !== 0) throw new Error(`the affected child process failed: ${child.stderr}`);
      const inner = JSON.parse(child.stdout) as { catalogMs: number; affectedMs: number; stacks: number };

      // The real command, as a whole process (the bundled driver): a warm-up, then medians of RUNS.
      execFileSync(process.execPath, [path.join(repoRoot, 'bin/build.js')], { cwd: repoRoot, stdio: 'inherit' });
      const cliArgs = [path.join(repoRoot, 'bin/gitops.js'), 'affected', '--base', 'main', '--head', 'feature', '--json', '--cwd', root];
      const cliRuns: Measured[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const m = await measure(process.execPath, cliArgs, { cwd: root });
        if (m.code !== 0) throw new Error(`gitops affected failed (${m.code}): ${m.stderr}`);
        if (i > 0) cliRuns.push(m);
      }
      const cli = { wallMs: median(cliRuns.map((m) => m.wallMs)), peakMiB: Math.max(...cliRuns.map((m) => m.peakMiB)) };

      const figures: Record<string, number> = {
        gitDiffMs: modify.gitMs,
        gitDiffPeakMiB: gitPeak.peakMiB,
        libraryMs: modify.libraryMs,
        ratio: modify.libraryMs / modify.gitMs,
        coldLibraryMs: modify.coldMs,
        coldRatio: modify.coldMs / modify.gitMs,
        deleteGitDiffMs: remove.gitMs,
        deleteLibraryMs: remove.libraryMs,
        deleteRatio: remove.libraryMs / remove.gitMs,
        gitVersionMs: median(spawnMs),
        gitPartMs: modify.gitPartMs,
        graphPartMs: modify.graphPartMs,
        coldGraphPartMs: modify.coldGraphPartMs,
        catalogLoadMs: catalogMs,
        importGraphMs: graphMs,
        importGraphFiles: graph.size,
        freshProcessMs: child.wallMs,
        freshProcessPeakMiB: child.peakMiB,
        freshProcessAffectedMs: inner.affectedMs,
        affectedStacks: modify.stacks,
      };
      Object.assign(figures, { cliMs: cli.wallMs, cliPeakMiB: cli.peakMiB });
      const row = (s: Scenario) =>
        `${s.branch.padEnd(15)} git diff ${s.gitMs.toFixed(1).padStart(6)} ms | computeAffected ${s.libraryMs.toFixed(1).padStart(6)} ms | ` +
        `${(s.libraryMs / s.gitMs).toFixed(2)}x (target <= 3x) | ${s.stacks} stacks\n` +
        `${''.padEnd(15)}   without the graph cache: ${s.coldMs.toFixed(1)} ms (${(s.coldMs / s.gitMs).toFixed(2)}x)\n` +
        `${''.padEnd(15)}   of which, alone: its 2 git processes ${s.gitPartMs.toFixed(1)} ms, its import graph (${FILES_READ} files) ` +
        `${s.graphPartMs.toFixed(1)} ms cached, ${s.coldGraphPartMs.toFixed(1)} ms cold`;
      const lines = [
        `medians of ${RUNS} alternating runs, main...<branch>, in-process library vs spawned git diff --name-only:`,
        row(modify),
        row(remove),
        `a git process doing nothing (git --version): ${median(spawnMs).toFixed(1)} ms: process start-up is most of git diff's time here`,
        `peak memory: git diff ${gitPeak.peakMiB.toFixed(1)} MiB; affected in a fresh process ${child.peakMiB.toFixed(0)} MiB (node and tsx included)`,
        `import graph alone, first in this process (resolver loaded, no cache): ${graph.size} files in ${graphMs.toFixed(1)} ms; loadStacks (1,000 files): ${catalogMs.toFixed(0)} ms`,
        `fresh process (tsx + loadStacks + affected): ${child.wallMs.toFixed(0)} ms wall, peak ${child.peakMiB.toFixed(0)} MiB; inside: loadStacks ${inner.catalogMs.toFixed(0)} ms, computeAffected ${inner.affectedMs.toFixed(0)} ms`,
        `gitops affected (real command, warm graph cache, median of ${RUNS}): ${cli.wallMs.toFixed(0)} ms wall, peak ${cli.peakMiB.toFixed(0)} MiB (target <= 300 ms, <= 100 MiB)`,
      ];
      return { name: 'affected', lines, figures };
    } finally {
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  },
};

export default bench;
