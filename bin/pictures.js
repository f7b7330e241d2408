#!/usr/bin/env node
// `npm run pictures`: the pictures of the MR comment and the drift report (docs/pictures/), from a real
// demo run, rendered as GitHub renders Markdown and photographed in headless Chromium
// (test/pictures/). Needs Debian's `chromium` (or PUPPETEER_EXECUTABLE_PATH); never downloads one.
import { register } from 'tsx/esm/api';

register();
const { pictures } = await import('../test/pictures/run.ts');
process.exitCode = await pictures({
  env: process.env,
  node: process.execPath,
  root: process.getuid?.() === 0,
  log: (line) => process.stderr.write(`${line}\n`),
});
