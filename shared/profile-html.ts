import { contentSecurityPolicy } from './html';

// The profile webview's HTML: the diagram's strict CSP (shared/html.ts: nothing remote, only
// nonce'd scripts and styles), one script (dist/profile.js) and its styles inline with the nonce.
// Colours come from VS Code's theme variables.

export interface ProfileHtmlOptions {
  readonly cspSource: string;
  readonly nonce: string;
  readonly scriptUri: string;
  readonly title?: string;
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const PROFILE_CSS = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 24px; }
h1 { font-size: 1.3em; font-weight: 600; margin: 16px 0 4px; }
.meta { color: var(--vscode-descriptionForeground); margin: 2px 0; }
.warn { color: var(--vscode-editorWarning-foreground); }
.totals { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 12px 0; }
.totals dt { color: var(--vscode-descriptionForeground); }
.totals dd { margin: 0; font-variant-numeric: tabular-nums; }
.toolbar { display: flex; gap: 8px; margin: 12px 0; }
button { font: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 4px 12px; border-radius: 2px; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 2px 8px; border-bottom: 1px solid var(--vscode-editorWidget-border, rgba(128,128,128,.25)); }
th { text-align: left; position: sticky; top: 0; background: var(--vscode-editor-background); }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
td.num, th.num { text-align: right; }
tr:hover td { background: var(--vscode-list-hoverBackground); }
tr.layer-row { cursor: pointer; }
tr.layer-row:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; }
.chart { margin: 12px 0; overflow-x: auto; }
.chart svg text { fill: var(--vscode-foreground); font-size: 11px; font-family: var(--vscode-editor-font-family, monospace); }
.chart rect.bar { fill: var(--vscode-charts-blue, #3794ff); }
.chart rect.spread { fill: var(--vscode-charts-orange, #d18616); opacity: .6; }
.chart g.row:focus rect.bg, .chart g.row:hover rect.bg { fill: var(--vscode-list-hoverBackground); }
.chart rect.bg { fill: transparent; }
.explain { color: var(--vscode-descriptionForeground); max-width: 70em; }
.tabs { display: flex; gap: 8px; margin-top: 16px; }
`;

export function renderProfileHtml(o: ProfileHtmlOptions): string {
  const n = attr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${attr(o.title ?? 'CNN Lens Profile')}</title>
  <style nonce="${n}">${PROFILE_CSS}</style>
</head>
<body>
  <main id="profile" aria-live="polite"><p class="meta">Profiling…</p></main>
  <script nonce="${n}" src="${attr(o.scriptUri)}"></script>
</body>
</html>
`;
}
