// The diagram webview's HTML: one pure function, used by the extension host (with webview URIs) and by
// the standalone page writer (with relative URLs, or everything inlined for file://).
// No remote resources; the CSP allows only the host's own resources and nonce'd scripts and styles.

export interface WebviewHtmlOptions {
  /** `webview.cspSource` in VS Code; e.g. `'self'` for the standalone page. */
  readonly cspSource: string;
  /** A fresh random nonce (base64/hex, no quotes) per render. */
  readonly nonce: string;
  /** dist/webview.js as the webview can load it. */
  readonly scriptUri: string;
  /** dist/layout-worker.js: fetched by the page and started from a blob: URL. */
  readonly workerUri: string;
  /** dist/run-worker.js: TensorFlow.js for running models here, fetched on the first run only. */
  readonly runWorkerUri?: string;
  /** media/webview.css. */
  readonly cssUri: string;
  /** Optional codicons stylesheet (@vscode/codicons/dist/codicon.css), for icon buttons. */
  readonly codiconsUri?: string;
  /** More stylesheets after the main one (the standalone page's theme). */
  readonly extraCssUris?: readonly string[];
  /** Page title. */
  readonly title?: string;
  /** A report to show at once (the standalone page); embedded as a JSON data block, not executed. */
  readonly initialReport?: unknown;
  /** The uri to report with the embedded model. */
  readonly initialUri?: string;
  /**
   * Everything inline, for a single file opened from disk (file:// cannot fetch the worker script):
   * the script, the worker source and the css. The uris above are then ignored.
   */
  readonly inline?: { readonly script: string; readonly worker: string; readonly css: string };
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** JSON safe inside a <script> data block. */
const jsonBlock = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
/** JavaScript safe inside an inline <script>. */
const inlineJs = (js: string): string => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

export function contentSecurityPolicy(o: Pick<WebviewHtmlOptions, 'cspSource' | 'nonce'>): string {
  // The run worker (dist/run-worker.js, a blob: worker: worker-src) compiles WebAssembly: TensorFlow.js's
  // backends and onnxruntime-web's binary ('wasm-unsafe-eval' allows compiling wasm, not eval of JS).
  // onnxruntime-web's Emscripten glue is bundled into the worker, so nothing is imported at run time
  // and script-src stays nonces only; its .wasm is fetched from the webview's own dist folder
  // (connect-src: cspSource, the webview's own resources; never a CDN).
  return [
    `default-src 'none'`,
    `img-src ${o.cspSource} data: blob:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `script-src 'nonce-${o.nonce}' 'wasm-unsafe-eval'`,
    `worker-src blob:`,
    `font-src ${o.cspSource}`,
    `connect-src ${o.cspSource}`,
  ].join('; ');
}

export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const n = attr(o.nonce);
  const styles: string[] = [];
  if (o.codiconsUri) styles.push(`<link rel="stylesheet" href="${attr(o.codiconsUri)}" id="vscode-codicon-stylesheet">`);
  if (o.inline) styles.push(`<style nonce="${n}">${o.inline.css.replace(/<\/style/gi, '<\\/style')}</style>`);
  else styles.push(`<link rel="stylesheet" href="${attr(o.cssUri)}">`);
  for (const u of o.extraCssUris ?? []) styles.push(`<link rel="stylesheet" href="${attr(u)}">`);
  const data = o.initialReport === undefined
    ? ''
    : `\n  <script type="application/json" id="cnn-lens-initial"${o.initialUri ? ` data-uri="${attr(o.initialUri)}"` : ''}>${jsonBlock(o.initialReport)}</script>`;
  const scripts = o.inline
    ? `<script nonce="${n}">window.__CNN_LENS_WORKER_SOURCE__ = ${inlineJs(JSON.stringify(o.inline.worker))};</script>\n  <script nonce="${n}">${inlineJs(o.inline.script)}</script>`
    : `<script nonce="${n}" src="${attr(o.scriptUri)}" data-worker-src="${attr(o.workerUri)}"></script>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(o))}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${text(o.title ?? 'CNN Lens')}</title>
  ${styles.join('\n  ')}
</head>
<body>
  <div id="cnn-lens"${o.inline ? '' : ` data-worker-src="${attr(o.workerUri)}"`}${o.runWorkerUri && !o.inline ? ` data-run-src="${attr(o.runWorkerUri)}"` : ''}></div>${data}
  ${scripts}
</body>
</html>
`;
}
