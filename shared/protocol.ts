// The typed messages between the extension host and the webview. One file, versioned: a change in
// shape bumps PROTOCOL_VERSION so a stale webview can say so instead of misreading.
import type { ModelReport } from '../src/core/analysis/report-types';
import type { opCatalog } from '../src/core/edit/catalog';
import type { ModelEdit } from '../src/core/edit/types';
import type { Graph, TensorShape } from '../src/core/ir';

export const PROTOCOL_VERSION = 6;

/** The op palette and attribute schemas, so the webview can offer controls that fit each attribute. */
export type OpCatalogEntry = ReturnType<typeof opCatalog>[number];

/** A small picture of one layer's output: the first channels tiled and normalised, never the tensor itself. */
export interface ActivationPreview {
  /** `data:image/png;base64,…` */
  readonly thumbnail: string;
  readonly min: number;
  readonly max: number;
  readonly channels: number;
  /** For 2-D outputs: the k largest values, largest first (class index and value). */
  readonly top?: readonly { readonly index: number; readonly value: number; readonly label?: string }[];
}

/**
 * Where `cnnLens.backend` asks the diagram webview to run a model on the machine's own GPU:
 * 'webgpu' tries WebGPU, then WebGL; 'webgl' uses WebGL alone (both TensorFlow.js);
 * 'onnxruntime-web' runs the host's ONNX export on onnxruntime-web: WebGPU, else its wasm build.
 */
export type WebviewBackend = 'webgpu' | 'webgl' | 'onnxruntime-web';

/**
 * A model for onnxruntime-web, exported by the host (src/core/engine/onnx-export.ts) with the run's
 * weights and every layer's value as a graph output. Sent once per `weights.key`.
 */
export interface OnnxModelBytes {
  /** A serialised ModelProto (the taps already graph outputs). */
  readonly bytes: ArrayBuffer;
  /** ONNX input names, in `graph.inputs` order. */
  readonly inputs: readonly string[];
  /** ONNX output names, in `graph.outputs` order. */
  readonly outputs: readonly string[];
  /** [IR node id, ONNX value name] for each tapped layer (values in the IR's layout). */
  readonly taps: readonly (readonly [string, string])[];
}

/** A float32 tensor's values; the ArrayBuffer crosses postMessage without turning into JSON. */
export interface TensorBytes {
  readonly shape: readonly number[];
  readonly data: ArrayBuffer;
}

/** One weight tensor of a node, by the name its op declares (kernel, bias, gamma, …). */
export interface WeightBytes extends TensorBytes {
  readonly node: string;
  readonly name: string;
}

/**
 * The weights of a run in the webview: seeded random ones (the webview draws the same values with
 * src/core/runtime/random-weights.ts), or a file's tensors. `key` names them: the host sends the
 * tensors only when the webview does not hold that key already.
 */
export interface RunWeightsSpec {
  readonly key: string;
  readonly random?: { readonly seed: number };
  readonly tensors?: readonly WeightBytes[];
  /** For 'onnxruntime-web': the exported model (its weights inside), when the webview does not hold `key`. */
  readonly onnx?: OnnxModelBytes;
}

/** Run a model in the diagram webview: the model text (parsed there by src/core), its preprocessed inputs and its weights. */
export interface RunRequest {
  readonly type: 'run';
  readonly id: number;
  readonly backend: WebviewBackend;
  /** The parsed model (the IR is plain data): the worker analyses it as the host does, whatever the file's format. */
  readonly graph: Graph;
  /** The model file's name, for messages. */
  readonly fileName: string;
  /** In `graph.inputs` order, preprocessed by the host. */
  readonly inputs: readonly TensorBytes[];
  readonly weights: RunWeightsSpec;
  /** Shown with the previews: what the input was (image name, resizing, preprocessing). */
  readonly image: string;
  /** The weights or the input are random: the previews must say so. */
  readonly random: boolean;
  /** Also send back each layer's summary statistics (tests compare them with the host's execute()). */
  readonly stats?: boolean;
}

/** Summary statistics of one layer's output, computed where it ran. */
export interface LayerStats {
  readonly shape: readonly number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly meanAbs: number;
  /** The first values in memory order. */
  readonly head: readonly number[];
}

/**
 * Where the diagram's inspector sits, remembered per workspace (the host keeps it in workspaceState):
 * hidden or shown, its width as a column, its height as a bottom sheet (narrow webviews), in CSS px.
 */
export interface InspectorLayout {
  readonly hidden: boolean;
  readonly width?: number;
  readonly sheetHeight?: number;
}

/** Input shapes by input name, batch first, in the file's own layout; null leaves a dimension open. */
export type InputShapes = Readonly<Record<string, TensorShape>>;

/** Host → webview. */
export type HostMessage =
  /**
   * `readOnly`: the format's name when CNN Lens cannot edit it (no edit planner); the webview then offers no editing and says so.
   * `analyzedAt`: the input shapes this panel's report was analysed at instead of the file's (set by `analyzeAt`); absent: the file's own.
   */
  | { readonly type: 'model'; readonly version: number; readonly uri: string; readonly report: ModelReport; readonly readOnly?: string; readonly analyzedAt?: InputShapes }
  | { readonly type: 'select'; readonly node: string | null }
  /** Sent after `ready`, before the model: the inspector's place as this workspace last left it. */
  | { readonly type: 'panelLayout'; readonly inspector: InspectorLayout }
  /** Sent once after `ready`: what can be inserted and how each attribute is edited. */
  | { readonly type: 'catalog'; readonly ops: readonly OpCatalogEntry[] }
  /** Per-layer median latency (ms) from a profile run: shown as the latency heat overlay. */
  | { readonly type: 'latency'; readonly backend: string; readonly ms: Readonly<Record<string, number>> }
  /** Activation previews for an input image; `random` when the weights were seeded random ones (outputs not meaningful). */
  /** `labelsHint`: how to give class names, when a classifier's output has none (optional: older hosts send none). */
  | { readonly type: 'activations'; readonly image: string; readonly random: boolean; readonly previews: Readonly<Record<string, ActivationPreview>>; readonly backend?: string; readonly labelsHint?: string }
  /** Run the model here on WebGPU/WebGL; answered by `runResult` or `runFailed` with the same id. */
  | RunRequest
  | { readonly type: 'cancelRun'; readonly id: number }
  /** The outcome of an `edit`: refused (file untouched) with the reason, or applied with the problems it created downstream. */
  | { readonly type: 'editResult'; readonly id: number; readonly ok: boolean; readonly message?: string; readonly focus?: string; readonly problems?: readonly string[] }
  /** The answer to a `checkEdit`: whether the edit would be applied (nothing was changed), why not, or what it would break downstream. */
  | { readonly type: 'editCheck'; readonly id: number; readonly ok: boolean; readonly message?: string; readonly problems?: readonly string[] };

/** Webview → host. */
export type WebviewMessage =
  | { readonly type: 'ready'; readonly version: number }
  | { readonly type: 'select'; readonly node: string | null }
  | { readonly type: 'reveal'; readonly node: string }
  /** The user hid, showed or resized the inspector: the host remembers it for the workspace. */
  | { readonly type: 'panelLayout'; readonly inspector: InspectorLayout }
  /** Asks the host to edit the document (one undoable WorkspaceEdit); answered by `editResult` with the same id. */
  | { readonly type: 'edit'; readonly id: number; readonly edit: ModelEdit }
  /**
   * Asks whether an edit would be applied, without applying it (the same planning as `edit`), while the
   * user drags an edge over candidates; answered by `editCheck` with the same id. Older hosts do not
   * answer: the webview then lets the drop through and `edit` says.
   */
  | { readonly type: 'checkEdit'; readonly id: number; readonly edit: ModelEdit }
  /**
   * Analyse this panel's model at other input shapes (symbolic dimensions, the batch, the spatial size)
   * without changing the file; answered by a `model` message with `analyzedAt`. null: the file's own again.
   */
  | { readonly type: 'analyzeAt'; readonly inputShape: InputShapes | null }
  /** Save the diagram: `data` is the SVG text, or a PNG `data:` URL. */
  | { readonly type: 'export'; readonly format: 'svg' | 'png'; readonly fileName: string; readonly data: string }
  /** A `run` done: thumbnails and top-k only (never the tensors), the backend that ran and why better ones did not. */
  | { readonly type: 'runResult'; readonly id: number; readonly backend: string; readonly notUsed: readonly string[]; readonly previews: Readonly<Record<string, ActivationPreview>>; readonly ms: number; readonly stats?: Readonly<Record<string, LayerStats>> }
  /**
   * A `run` that did not happen: `unavailable` when neither WebGPU nor WebGL starts here (the host
   * then runs it itself, with the reason); `needWeights` when the webview no longer holds `weights.key`.
   */
  | { readonly type: 'runFailed'; readonly id: number; readonly message: string; readonly unavailable?: boolean; readonly needWeights?: boolean };

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
