import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { demoEnv, fixedTime, fixTimestamps } from '../pictures/demo-reports.js';
import { markdownPage } from '../pictures/markdown-page.js';

const require = createRequire(import.meta.url);
const githubCss = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');

const page = (markdown: string): string => markdownPage({ markdown, title: 'Report', css: githubCss, mermaidScript: 'mermaid.min.js' });

// Shaped like the MR comment: a table, a collapsed and an open section, a diff, the graph.
const comment = [
  '### Pulumi preview: 2 stacks, 1 with changes',
  '',
  '| Stack | Update | Status |',
  '|---|---|---|',
  '| demo-web | 2 | ✅ ok |',
  '| `a\\|b` | 0 | ✅ ok |',
  '',
  '<details><summary><b>demo-web</b>: 2 update</summary>',
  '',
  '```diff',
  '@@ 1 unchanged line @@',
  '-<title>Old</title>',
  '+<title>New</title>',
  '```',
  '',
  '</details>',
  '',
  '<details open><summary>Affected stacks graph</summary>',
  '',
  '```mermaid',
  'flowchart LR',
  '  s0["demo-base"]',
  '  s0 --> s1',
  '```',
  '',
  '</details>',
  '',
  '- [x] previewed',
  '- [ ] deployed',
  '',
].join('\n');

describe('the pictures page (Markdown rendered as GitHub renders it)', () => {
  it('renders GFM tables, with an escaped pipe kept inside its cell', () => {
    const html = page(comment);
    expect(html).toContain('<table>\n<thead>\n<tr>\n<th>Stack</th>\n<th>Update</th>\n<th>Status</th>');
    expect(html).toContain('<td>demo-web</td>\n<td>2</td>\n<td>✅ ok</td>');
    expect(html).toContain('<td><code>a|b</code></td>');
    expect(html).toContain('<article class="markdown-body">\n<h3>Pulumi preview: 2 stacks, 1 with changes</h3>');
  });

  it('opens every <details> once, since a picture cannot be clicked', () => {
    const html = page(comment);
    expect(html).toContain('<details open><summary><b>demo-web</b>: 2 update</summary>');
    expect(html).toContain('<details open><summary>Affected stacks graph</summary>');
    expect(html).not.toMatch(/<details(?![^>]*\bopen\b)[^>]*>/);
    expect(html).not.toContain('open open');
  });

  it('leaves Mermaid blocks for Mermaid to draw, escaped, and loads the local bundle only then', () => {
    const html = page(comment);
    expect(html).toContain('<pre class="mermaid">flowchart LR\n  s0[&quot;demo-base&quot;]\n  s0 --&gt; s1</pre>');
    expect(html).not.toContain('language-mermaid');
    expect(html).toContain('<script src="mermaid.min.js"></script>');
    expect(html).toContain("mermaid.run({ querySelector: 'pre.mermaid' })");
    const plain = page('No diagram here.\n');
    expect(plain).not.toContain('mermaid.min.js');
    expect(plain).toContain("document.body.setAttribute('data-mermaid', 'done')");
  });

  it('colours diff blocks with the classes of GitHub stylesheet, escaping their HTML', () => {
    const html = page(comment);
    expect(html).toContain(
      '<div class="highlight highlight-source-diff"><pre><span class="pl-mdr">@@ 1 unchanged line @@</span>\n' +
        '<span class="pl-md"><span class="pl-md">-</span>&lt;title&gt;Old&lt;/title&gt;</span>\n' +
        '<span class="pl-mi1"><span class="pl-mi1">+</span>&lt;title&gt;New&lt;/title&gt;</span></pre></div>',
    );
    expect(githubCss).toContain('.markdown-body .pl-mi1 {');
  });

  it('marks task lists the way GitHub does, so its stylesheet applies', () => {
    const html = page(comment);
    expect(html).toContain(
      '<ul class="contains-task-list">\n<li class="task-list-item"><input class="task-list-item-checkbox" checked="" disabled="" type="checkbox"> previewed</li>',
    );
    expect(html).toContain('<li class="task-list-item"><input class="task-list-item-checkbox" disabled="" type="checkbox"> deployed</li>');
  });

  it('loads nothing from the network: the stylesheet is inline and the only script is local', () => {
    const html = page(comment);
    expect(html).toContain('.markdown-body table');
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect([...html.matchAll(/<script src="([^"]*)"/g)].map((m) => m[1])).toEqual(['mermaid.min.js']);
    expect(() => markdownPage({ markdown: '', title: 't', css: '', mermaidScript: 'https://cdn.example.com/mermaid.js' })).toThrow(
      /relative to the page, not a URL/,
    );
    expect(() => markdownPage({ markdown: '', title: 't', css: '', mermaidScript: '//cdn.example.com/mermaid.js' })).toThrow(/not a URL/);
  });

  it('escapes the title', () => {
    expect(markdownPage({ markdown: '', title: '<b>&', css: '', mermaidScript: 'm.js' })).toContain('<title>&lt;b&gt;&amp;</title>');
  });
});

describe('the demo run behind the pictures', () => {
  it('replaces wall-clock timestamps, so a re-run gives the same picture', () => {
    expect(fixTimestamps('Run at 2026-11-27T13:47:14.455Z · commit `abc`\nat 2027-02-03T04:05:06Z.')).toBe(
      `Run at ${fixedTime} · commit \`abc\`\nat ${fixedTime}.`,
    );
    expect(fixTimestamps('port 8080, version 3.248.0')).toBe('port 8080, version 3.248.0');
  });

  it('runs gitops away from any real backend, forge or CI job, with the demo passphrase', () => {
    const env = demoEnv({
      PATH: '/usr/bin',
      HOME: '/home/me',
      CI: 'true',
      CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
      GITHUB_TOKEN: 'ghp_x',
      GITLAB_TOKEN: 'glpat_x',
      GITOPS_FORGE: 'github',
      GITOPS_TOOLCHAIN_HOME: '/opt/pulumi',
      PULUMI_BACKEND_URL: 's3://real-state',
      PULUMI_CONFIG_PASSPHRASE: 'the real one',
      PULUMI_CONFIG_PASSPHRASE_FILE: '/run/secrets/passphrase',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      GITOPS_TOOLCHAIN_HOME: '/opt/pulumi',
      PULUMI_CONFIG_PASSPHRASE: 'gitops-demo',
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: 'true',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Demo Author',
      GIT_AUTHOR_EMAIL: 'author@example.com',
      GIT_COMMITTER_NAME: 'Demo Author',
      GIT_COMMITTER_EMAIL: 'author@example.com',
    });
  });
});
