import { Marked } from 'marked';

/** What a picture's page is made of. */
export interface MarkdownPageInput {
  /** The report, exactly as gitops wrote it. */
  markdown: string;
  /** The page title (not shown in the picture). */
  title: string;
  /** GitHub's Markdown stylesheet (github-markdown-css), inlined so the page loads nothing else. */
  css: string;
  /** Mermaid's browser bundle, as a path relative to the page; only loaded when the report has a diagram. */
  mermaidScript: string;
}

/** Set on `<body>` by the page once Mermaid has drawn every diagram: `done`, or `error: <message>`. */
export const mermaidStateAttribute = 'data-mermaid';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A ```diff block coloured with the classes GitHub's highlighter gives it (github-markdown-css styles them). */
function diffBlock(text: string): string {
  const lines = text.split('\n').map((line) => {
    const html = escapeHtml(line);
    if (line.startsWith('@@')) return `<span class="pl-mdr">${html}</span>`;
    if (line.startsWith('+')) return `<span class="pl-mi1"><span class="pl-mi1">+</span>${escapeHtml(line.slice(1))}</span>`;
    if (line.startsWith('-')) return `<span class="pl-md"><span class="pl-md">-</span>${escapeHtml(line.slice(1))}</span>`;
    return html;
  });
  return `<div class="highlight highlight-source-diff"><pre>${lines.join('\n')}</pre></div>\n`;
}

/**
 * GitHub-flavoured Markdown (tables, task lists, strikethrough, autolinks, raw HTML such as
 * `<details>`), with ```mermaid blocks left as `<pre class="mermaid">` for Mermaid to draw in the
 * page, the way GitHub and GitLab draw them, and ```diff blocks coloured.
 */
function renderGfm(markdown: string): string {
  const marked = new Marked({
    gfm: true,
    breaks: false,
    renderer: {
      code({ text, lang }) {
        const language = lang?.trim();
        if (language === 'mermaid') return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`;
        if (language === 'diff') return diffBlock(text);
        return false;
      },
    },
  });
  return (marked.parse(markdown, { async: false }) as string)
    .replace(/<details(?![^>]*\bopen\b)([^>]*)>/g, '<details open$1>')
    .replace(/<ul>\n<li><input /g, '<ul class="contains-task-list">\n<li><input ')
    .replace(/<li><input /g, '<li class="task-list-item"><input class="task-list-item-checkbox" ');
}

// Frames the report like a comment box; the rest is GitHub's own stylesheet.
const frameCss = `
body { margin: 0; padding: 16px; background: #ffffff; }
article.markdown-body { box-sizing: border-box; width: 920px; padding: 16px 24px; border: 1px solid #d0d7de; border-radius: 6px; }
.markdown-body pre.mermaid { background: #ffffff; text-align: center; }
`;

// Draws the diagrams, then reports the outcome on <body> for the screenshot step to wait on.
const mermaidRun = `
(async () => {
  try {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default', deterministicIds: true });
    await mermaid.run({ querySelector: 'pre.mermaid' });
    document.body.setAttribute('${mermaidStateAttribute}', 'done');
  } catch (err) {
    document.body.setAttribute('${mermaidStateAttribute}', 'error: ' + (err && err.message ? err.message : String(err)));
  }
})();
`;

/**
 * A self-contained HTML page showing a Markdown report as GitHub shows it: GFM, GitHub's
 * stylesheet, every `<details>` opened (a picture cannot be clicked), Mermaid diagrams drawn by
 * the local Mermaid bundle. Nothing is loaded from the network. Pure.
 */
export function markdownPage(input: MarkdownPageInput): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(input.mermaidScript) || input.mermaidScript.startsWith('//')) {
    throw new Error(`mermaidScript must be a path relative to the page, not a URL: ${input.mermaidScript}`);
  }
  const body = renderGfm(input.markdown);
  const hasDiagram = body.includes('<pre class="mermaid">');
  const scripts = hasDiagram
    ? `<script src="${escapeHtml(input.mermaidScript)}"></script>\n<script>${mermaidRun}</script>`
    : `<script>document.body.setAttribute('${mermaidStateAttribute}', 'done');</script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>${input.css}</style>
<style>${frameCss}</style>
</head>
<body>
<article class="markdown-body">
${body}</article>
${scripts}
</body>
</html>
`;
}
