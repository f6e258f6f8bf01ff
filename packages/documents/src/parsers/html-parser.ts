import { compile } from 'html-to-text';

/**
 * Main content of an HTML page as Markdown-flavoured text: navigation, headers, footers, asides,
 * scripts, styles and forms are dropped; headings become `#` lines so the chunker keeps heading paths.
 * When the page marks its content (`<main>`, `<article>`, `role="main"`), only that part is read.
 */
const convert = compile({
  wordwrap: false,
  baseElements: { selectors: ['main', 'article', '[role="main"]', 'body'], returnDomByDefault: true },
  selectors: [
    ...['nav', 'header', 'footer', 'aside', 'script', 'style', 'noscript', 'form', 'iframe', 'svg'].map(
      (selector) => ({ selector, format: 'skip' }),
    ),
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...[1, 2, 3, 4, 5, 6].map((level) => ({
      selector: `h${level}`,
      format: 'heading',
      options: { uppercase: false, leadingLineBreaks: 2, trailingLineBreaks: 1 },
    })),
  ],
});

export function parseHtml(html: string): { text: string; title?: string } {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(html)?.[1]?.trim();
  // html-to-text renders headings as plain lines; mark them as Markdown headings first.
  const marked = html.replace(/<h([1-6])([^>]*)>/gi, (_match, level: string, attributes: string) => {
    return `<h${level}${attributes}>${'#'.repeat(Number(level))} `;
  });
  const text = convert(marked)
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title ? { text, title } : { text };
}
