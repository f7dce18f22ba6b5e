import { contentSecurityPolicy } from './html';

// The HTML shell of CNN Lens's smaller webviews (the style panel, the profile view): one script,
// one stylesheet, the same strict Content Security Policy as the diagram.

export interface PanelHtmlOptions {
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly cssUri: string;
  readonly title: string;
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function panelHtml(o: PanelHtmlOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${attr(o.title)}</title>
  <link rel="stylesheet" href="${attr(o.cssUri)}">
</head>
<body>
  <main id="app"></main>
  <script nonce="${attr(o.nonce)}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
