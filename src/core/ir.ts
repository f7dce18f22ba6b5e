// The one model representation. Every format parses into a Graph; every feature reads a Graph.
// Pure data: no vscode, no DOM, no tfjs, so the same objects cross to workers and the webview.

/** A dimension; `null` where the file leaves it open (the batch, or a fully convolutional input). */
export type Dim = number | null;
/** Batch first; the layout follows the source format (Keras: NHWC). */
export type TensorShape = readonly Dim[];

/** UTF-16 offsets into the model file's text, as VS Code's `document.positionAt` expects. */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

/** An edge: the `index`-th output of node `node`. */
export interface TensorRef {
  readonly node: string;
  readonly index: number;
}

export type AttrValue = number | string | boolean | null | readonly AttrValue[] | { readonly [key: string]: AttrValue };
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface IRNode {
  /** Unique in the graph: the layer name; `name@2` for the second call of a shared layer; `outer/inner` inside a nested model. */
  readonly id: string;
  /** The layer's own name in the file (shared between the calls of a shared layer). */
  readonly layer: string;
  /** The op kind in the registry, or 'Unknown' for a class CNN Lens does not know. */
  readonly op: string;
  /** The class name exactly as the file spells it. */
  readonly sourceClass: string;
  /** Attributes normalised by the op's schema (camelCase names, defaults filled); raw config for unknown ops. */
  readonly attrs: Attrs;
  readonly inputs: readonly TensorRef[];
  /** The enclosing group (a nested model), if any. */
  readonly group?: string;
  /** For the second and later calls of a shared layer: the id of the first call, which owns the weights. */
  readonly sharesWeightsWith?: string;
  /** The layer's whole definition in the file. */
  readonly range?: SourceRange;
  /** The layer's name string in the file. */
  readonly nameRange?: SourceRange;
  /** The initializers the file declares for the node's weights (Keras `kernel_initializer`), by weight name: seeded random weights follow them. */
  readonly initializers?: Readonly<Record<string, InitializerSpec>>;
  /** Graph formats name every output value (ONNX `/layer1/layer1.0/relu/Relu_output_0`): by output index. */
  readonly outputNames?: readonly string[];
  /** Output shapes the file itself declares (ONNX value_info), by output index: what an opaque node's outputs are known as. */
  readonly declaredShapes?: readonly (TensorShape | undefined)[];
  /** For 'Constant' nodes: the name of the graph tensor (in `Graph.constants`) it stands for. */
  readonly tensor?: string;
  /**
   * The attributes under the format's own names and values (ONNX `kernel_shape`, `pads`), for the
   * inspector; absent where they are the normalised `attrs` (Keras configs).
   */
  readonly sourceAttrs?: Attrs;
}

/** A weight initializer as Keras names it: `HeNormal`, `{ stddev: 0.01 }`. */
export interface InitializerSpec {
  readonly className: string;
  readonly config: Readonly<Record<string, AttrValue>>;
}

export interface IRGroup {
  readonly id: string;
  readonly name: string;
  readonly kind: 'model' | 'block';
  readonly parent?: string;
  readonly range?: SourceRange;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  readonly severity: Severity;
  /** A stable identifier for the kind of problem, e.g. 'shape', 'unknown-layer', 'json'. */
  readonly code: string;
  readonly message: string;
  /** The node id the problem belongs to, when it belongs to one. */
  readonly node?: string;
  readonly range?: SourceRange;
}

/** One tensor of a weights manifest (TF.js `model.json`), as the file declares it. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string; readonly scale?: number; readonly min?: number };
}

/** Element types as formats store them; bytes per element in `DTYPE_BYTES`. */
export type DType =
  | 'float32' | 'float16' | 'bfloat16' | 'float64'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'int4' | 'uint4' | 'bool' | 'string' | 'complex64' | 'complex128' | 'float8';

/** Bytes of one element (int4: half a byte; strings: unknown, counted as 0). */
export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4,
  int64: 8, uint64: 8, int4: 0.5, uint4: 0.5, bool: 1, string: 0, complex64: 8, complex128: 16, float8: 1,
};

/** A constant tensor of the graph (an ONNX initializer or Constant node's value), as the file stores it. */
export interface IRTensor {
  /** The name the file gives it (opaque). */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Bytes as stored (fp16 and int8 tensors are their true size). */
  readonly byteLength: number;
  /** Decoded values of small tensors (shapes, axes, scales), for folding shape arithmetic; absent for large ones and external data. */
  readonly values?: readonly number[];
  /** False for a tensor stored but not learned (a PyTorch buffer: BatchNorm's running statistics): counted as non-trainable wherever it enters. */
  readonly trainable?: false;
  /** Where the bytes are: `file` (relative to the model) for external data, else inside the model file. */
  readonly location?: { readonly file?: string; readonly offset: number; readonly length: number };
}

export interface Graph {
  readonly name: string;
  /** 'keras2-json' | 'keras3-json' | 'tfjs-layers' | 'keras2-h5' | 'keras3-h5' | 'keras3-archive' | 'onnx'; TF.js graph, TFLite and Caffe later. */
  readonly format: string;
  /** Topologically ordered: every node comes after the nodes it reads. */
  readonly nodes: readonly IRNode[];
  /** Ids of the graph's input nodes, in the model's input order. */
  readonly inputs: readonly string[];
  readonly outputs: readonly TensorRef[];
  readonly groups: readonly IRGroup[];
  /** Problems found while parsing (bad JSON, unknown layers, dangling references, cycles). */
  readonly diagnostics: readonly Diagnostic[];
  /** The weights manifest, when the file carries one. */
  readonly weights?: readonly WeightSpec[];
  /** Constant tensors the nodes of op 'Constant' stand for, by name (graph formats: ONNX, TF.js graph, TFLite). */
  readonly constants?: Readonly<Record<string, IRTensor>>;
  /** Named symbolic dimensions of the inputs (`batch`, `N`), by input node id and axis; computed at 1 unless set. */
  readonly symbolicDims?: Readonly<Record<string, readonly (string | null)[]>>;
}
