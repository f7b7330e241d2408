import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDemo } from './demo-reports.js';
import { markdownPage } from './markdown-page.js';
import { findChromium, MissingChromiumError, screenshot } from './screenshot.js';

/** What `npm run pictures` needs from its caller (only bin/ touches `process`). */
export interface PicturesHost {
  env: NodeJS.ProcessEnv;
  node: string;
  root: boolean;
  log: (line: string) => void;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/**
 * `npm run pictures`: runs the demo for real (deploy, hand edits, drift, a change, preview),
 * renders the Markdown gitops wrote the way GitHub renders it, and photographs it in headless
 * Chromium into docs/pictures/ (the PNGs, and the Markdown they show). Returns the exit code:
 * 2 when Chromium is missing, 1 when a step failed.
 */
export async function pictures(host: PicturesHost): Promise<number> {
  let chromium: string;
  try {
    chromium = findChromium(host.env);
  } catch (err) {
    if (!(err instanceof MissingChromiumError)) throw err;
    host.log(err.message);
    return 2;
  }
  // A fixed folder: its path shows in the reports (the demo's file paths), so a re-run matches.
  const workDir = path.join(os.tmpdir(), 'gitops-pictures');
  const docs = path.join(repoRoot, 'docs', 'pictures');
  const started = Date.now();
  try {
    const reports = await runDemo({ repoRoot, workDir, env: host.env, node: host.node, log: (l) => host.log(`pictures: ${l}`) });
    await mkdir(docs, { recursive: true });
    await writeFile(path.join(docs, 'mr-comment.md'), reports.mrComment);
    await writeFile(path.join(docs, 'drift-report.md'), reports.driftReport);
    const css = await readFile(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
    const mermaidScript = 'mermaid.min.js';
    const page = (title: string, markdown: string) => markdownPage({ markdown, title, css, mermaidScript });
    host.log('pictures: screenshots in headless Chromium');
    await screenshot({
      chromium,
      root: host.root,
      pageDir: path.join(workDir, 'pages'),
      mermaidBundle: require.resolve('mermaid/dist/mermaid.min.js'),
      mermaidScript,
      shots: [
        { name: 'mr-comment', html: page('Merge request comment', reports.mrComment), png: path.join(docs, 'mr-comment.png') },
        { name: 'drift-report', html: page('Drift report', reports.driftReport), png: path.join(docs, 'drift-report.png') },
      ],
    });
    await rm(workDir, { recursive: true, force: true });
    host.log(`pictures: wrote docs/pictures/{mr-comment,drift-report}.{png,md} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    host.log(err instanceof Error ? err.message : String(err));
    host.log(`pictures: the demo repository is left in ${workDir} for a look`);
    return 1;
  }
}
