import { accessSync, constants } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { mermaidStateAttribute } from './markdown-page.js';

/** Where Debian's `chromium` package puts the browser. */
export const defaultChromium = '/usr/bin/chromium';

/** A browser that is not there: the caller exits 2 with this message. */
export class MissingChromiumError extends Error {}

/**
 * The Chromium to drive: PUPPETEER_EXECUTABLE_PATH when set, else Debian's. puppeteer-core never
 * downloads a browser, and neither does this.
 */
export function findChromium(env: NodeJS.ProcessEnv): string {
  const chromium = env.PUPPETEER_EXECUTABLE_PATH || defaultChromium;
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new MissingChromiumError(
      `pictures: no Chromium at ${chromium}. Install it with \`sudo apt-get install -y chromium fonts-noto-color-emoji\` ` +
        '(Debian/Ubuntu; the emoji font draws the status icons), or set PUPPETEER_EXECUTABLE_PATH to a Chrome or Chromium binary.',
    );
  }
  return chromium;
}

/** One page to photograph: its HTML and where the PNG goes. */
export interface Shot {
  name: string;
  html: string;
  png: string;
}

/**
 * Opens headless Chromium once and photographs the `<article>` of each page, after Mermaid has
 * drawn its diagrams and the fonts have loaded. Each page is written into `pageDir` next to a
 * copy of Mermaid's bundle and opened from disk; any request that is not a local file is refused
 * and fails the run, so a picture never depends on the network.
 */
export async function screenshot(options: {
  chromium: string;
  root: boolean;
  pageDir: string;
  mermaidBundle: string;
  mermaidScript: string;
  shots: readonly Shot[];
}): Promise<void> {
  await mkdir(options.pageDir, { recursive: true });
  await copyFile(options.mermaidBundle, path.join(options.pageDir, options.mermaidScript));
  const browser: Browser = await puppeteer.launch({
    executablePath: options.chromium,
    headless: true,
    // The sandbox needs user namespaces, which root (a CI container) does not get.
    args: [...(options.root ? ['--no-sandbox'] : []), '--font-render-hinting=none', '--hide-scrollbars', '--lang=en-US'],
  });
  try {
    for (const shot of options.shots) {
      const file = path.join(options.pageDir, `${shot.name}.html`);
      await writeFile(file, shot.html);
      const page = await browser.newPage();
      const refused: string[] = [];
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        const url = request.url();
        if (url.startsWith('file:') || url.startsWith('data:')) {
          void request.continue();
        } else {
          refused.push(url);
          void request.abort();
        }
      });
      await page.setViewport({ width: 1000, height: 800, deviceScaleFactor: 2 });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.waitForFunction((attr) => document.body.hasAttribute(attr), { timeout: 30_000 }, mermaidStateAttribute);
      const state = await page.evaluate((attr) => document.body.getAttribute(attr), mermaidStateAttribute);
      if (state !== 'done') throw new Error(`pictures: ${shot.name}: Mermaid could not draw a diagram: ${state}`);
      await page.evaluate(async () => {
        await document.fonts.ready;
      });
      if (refused.length > 0) throw new Error(`pictures: ${shot.name}: the page asked for the network: ${refused.join(', ')}`);
      const article = await page.$('article');
      if (!article) throw new Error(`pictures: ${shot.name}: the page has no <article>`);
      await article.screenshot({ path: shot.png as `${string}.png` });
      await page.close();
    }
  } finally {
    await browser.close();
  }
}
