import type { Diagnostic, Graph, IRTensor } from '../ir';
import type { ModelSource } from './source';
import type { EditPlanner, EditVocabulary } from '../edit/types';
import type { Layout } from '../ops/window';
import type { Analysis } from '../analysis/types';
import type { LoadedWeights, LoadOptions } from '../runtime/weights';

// The one interface every file format implements. Adding a format is one folder under
// src/core/formats/ exporting a ModelFormat, and one line in registry.ts.

export interface ModelFormat {
  /** Stable id: 'keras', 'onnx'; also the prefix of the graph's `format` field. */
  readonly id: string;
  /** For menus and messages: 'ONNX', 'Keras / TF.js layers (JSON)'. */
  readonly displayName: string;
  /** File name endings it opens (lower case, with the dot), for file associations and the CLI's hints. */
  readonly extensions: readonly string[];
  /** The values of `Graph.format` its parser produces ('keras2-json', 'keras3-json', 'tfjs-layers'). */
  readonly produces: readonly string[];
  /** Binary formats open in a read-only custom editor; text formats in the custom text editor beside VS Code's. */
  readonly binary: boolean;
  /** Recognises its files by content (leading bytes; content wins, users rename files), falling back on the name. */
  readonly detect: (source: ModelSource) => boolean;
  /**
   * Loads what `parse` needs that only loads asynchronously (h5wasm, the HDF5 library compiled to
   * WebAssembly), once: hosts parse through `parseSourceWithFiles`, which awaits it for the detected
   * format only, so opening an ONNX file never loads the HDF5 library.
   */
  readonly prepare?: () => Promise<void>;
  /** Parses into the IR; never throws on bad input: problems become the graph's diagnostics. Reads no sibling files. */
  readonly parse: (source: ModelSource) => Graph;
  /**
   * For formats whose graph depends on the files next to the model (a TF.js graph model keeps even
   * its Reshape shapes and Pad amounts in the weight shards): the parse with those read. Hosts that
   * can wait call it through `parseSourceWithFiles`; `parse` alone leaves such operands unknown.
   */
  readonly parseWithFiles?: (source: ModelSource) => Promise<Graph>;
  /**
   * The stored bytes of the graph's constant tensors (initializers), reading siblings (external
   * data) as needed; checks declared sizes against the files before reading.
   */
  readonly tensorBytes?: (source: ModelSource, graph: Graph, tensor: IRTensor) => Promise<Uint8Array>;
  /**
   * Problems only the files next to the model can show (a missing external data file, a slice past
   * its end), found by their sizes without reading them; hosts add them to the parse's diagnostics.
   */
  readonly checkFiles?: (source: ModelSource, graph: Graph) => Promise<readonly Diagnostic[]>;
  /**
   * The weights the model file itself carries (TFLite, a Keras .h5 or .keras, a TF.js graph model's
   * constants in its shards), as the engine takes them: float32 tensors in the layouts the ops
   * declare, quantised ones dequantised; what runs and exports use when no other weights are named.
   * The returned `source` says how they were read. Absent where weights live elsewhere (next to a
   * JSON) or are constants of the graph (ONNX).
   */
  readonly ownWeights?: (source: ModelSource, model: Graph | Analysis, options?: LoadOptions) => Promise<LoadedWeights>;
  /**
   * Editing, for formats that can be edited (absent: read-only, and the UI says so): the planner of
   * text edits, and the op kinds it can write (the palette offers those).
   */
  readonly edits?: { readonly plan: EditPlanner; readonly vocabulary: EditVocabulary };
  /**
   * Where the format itself fixes how image tensors are laid out (ONNX's Conv and pools are defined
   * on NCHW), so the diagram knows which input axes are the spatial ones; absent where each layer
   * chooses (Keras's data_format).
   */
  readonly layout?: Layout;
}
