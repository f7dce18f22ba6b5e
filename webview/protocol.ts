// The typed messages between the extension host and the webview. One file, versioned: a change in
// shape bumps PROTOCOL_VERSION so a stale webview can say so instead of misreading.
import type { ModelReport } from '../src/core/analysis/report-types';
import type { opCatalog } from '../src/core/edit/catalog';
import type { ModelEdit } from '../src/core/edit/types';

export const PROTOCOL_VERSION = 2;

/** The op palette and attribute schemas, so the webview can offer controls that fit each attribute. */
export type OpCatalogEntry = ReturnType<typeof opCatalog>[number];

/** A small picture of one layer's output: the first channels tiled and normalised, never the tensor itself. */
export interface ActivationPreview {
  /** `data:image/png;base64,…` */
  readonly thumbnail: string;
  readonly min: number;
  readonly max: number;
  readonly channels: number;
}

/** Host → webview. */
export type HostMessage =
  | { readonly type: 'model'; readonly version: number; readonly uri: string; readonly report: ModelReport }
  | { readonly type: 'select'; readonly node: string | null }
  /** Sent once after `ready`: what can be inserted and how each attribute is edited. */
  | { readonly type: 'catalog'; readonly ops: readonly OpCatalogEntry[] }
  /** Per-layer median latency (ms) from a profile run: shown as the latency heat overlay. */
  | { readonly type: 'latency'; readonly backend: string; readonly ms: Readonly<Record<string, number>> }
  /** Activation previews for an input image; `random` when the weights were seeded random ones (outputs not meaningful). */
  | { readonly type: 'activations'; readonly image: string; readonly random: boolean; readonly previews: Readonly<Record<string, ActivationPreview>> }
  /** The outcome of an `edit`: refused (file untouched) with the reason, or applied with the problems it created downstream. */
  | { readonly type: 'editResult'; readonly id: number; readonly ok: boolean; readonly message?: string; readonly focus?: string; readonly problems?: readonly string[] };

/** Webview → host. */
export type WebviewMessage =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'select'; readonly node: string | null }
  | { readonly type: 'reveal'; readonly node: string }
  /** Asks the host to edit the document (one undoable WorkspaceEdit); answered by `editResult` with the same id. */
  | { readonly type: 'edit'; readonly id: number; readonly edit: ModelEdit }
  /** Save the diagram: `data` is the SVG text, or a PNG `data:` URL. */
  | { readonly type: 'export'; readonly format: 'svg' | 'png'; readonly fileName: string; readonly data: string };

// ---------- the style-transfer side panel (a webview view of its own) ----------

export type StyleMode = 'fast' | 'optimise' | 'train';
export type StyleOptimizer = 'adam' | 'lbfgs';

export interface StylePreset {
  readonly name: string;
  readonly description: string;
  /** A small picture of the style image, `data:image/png;base64,…`. */
  readonly thumbnail: string;
}

/** Host → style panel. */
export type StyleHostMessage =
  | { readonly type: 'init'; readonly presets: readonly StylePreset[]; readonly samples: readonly string[]; readonly backends: readonly string[] }
  /** The chosen content or style image, as a preview (`data:` URL) with its file name. */
  | { readonly type: 'picked'; readonly role: 'content' | 'style'; readonly name: string; readonly preview: string }
  | { readonly type: 'progress'; readonly step: number; readonly total: number; readonly message: string }
  | { readonly type: 'result'; readonly before: string; readonly after: string; readonly ms: number; readonly backend: string; readonly lossNetwork: string; readonly notice?: string }
  | { readonly type: 'failed'; readonly message: string };

/** Style panel → host. */
export type StylePanelMessage =
  | { readonly type: 'ready' }
  /** Choose the content or style image: a bundled sample by name, a file from a dialog, or dropped bytes. */
  | { readonly type: 'pick'; readonly role: 'content' | 'style'; readonly sample?: string; readonly dropped?: { readonly name: string; readonly dataUrl: string } }
  /** `optimizer`: Optimise mode's (default adam). */
  | { readonly type: 'run'; readonly mode: StyleMode; readonly preset?: string; readonly strength: number; readonly size: number; readonly steps: number; readonly backend: string; readonly optimizer?: StyleOptimizer }
  | { readonly type: 'cancel' }
  | { readonly type: 'save' };
