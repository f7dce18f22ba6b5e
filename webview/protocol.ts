// The typed messages between the extension host and the webview. One file, versioned: a change in
// shape bumps PROTOCOL_VERSION so a stale webview can say so instead of misreading.
import type { ModelReport } from '../src/core/analysis/report-types';

export const PROTOCOL_VERSION = 1;

/** Host → webview. */
export type HostMessage =
  | { readonly type: 'model'; readonly version: number; readonly uri: string; readonly report: ModelReport }
  | { readonly type: 'select'; readonly node: string | null };

/** Webview → host. */
export type WebviewMessage =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'select'; readonly node: string | null }
  | { readonly type: 'reveal'; readonly node: string }
  /** Save the diagram: `data` is the SVG text, or a PNG `data:` URL. */
  | { readonly type: 'export'; readonly format: 'svg' | 'png'; readonly fileName: string; readonly data: string };
