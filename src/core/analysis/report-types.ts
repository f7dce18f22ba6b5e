import type { Attrs, IRGroup, Severity, SourceRange, TensorShape } from '../ir';
import type { Totals } from './types';
import type { Layout } from '../ops/window';

// The serialisable picture of an analysed model: what `cnn-lens summary --json` prints and what the
// host posts to the webview. Plain JSON (no Maps, no NaN: unknown numbers are null), stable field names.

export interface ReportLayer {
  /** Node id (unique): the layer name, `name@2` for a shared layer's second call, `outer/inner` inside a nested model. */
  readonly name: string;
  /** The op kind, e.g. 'Conv2D'; 'Unknown' for classes CNN Lens does not know. */
  readonly type: string;
  /** Ids of the nodes this layer reads. */
  readonly inputs: readonly string[];
  readonly outputShape: TensorShape | null;
  readonly params: number;
  readonly trainableParams: number;
  readonly macs: number | null;
  readonly flops: number | null;
  readonly weightBytes: number;
  readonly activationBytes: number | null;
  // Fields beyond the CLI's documented core schema, for the diagram and inspector.
  readonly family: string;
  /** Short label of key attributes, e.g. '3×3 / 2, 64'. */
  readonly label: string;
  readonly sourceClass: string;
  readonly group?: string;
  readonly attrs: Attrs;
  readonly inputShapes: readonly (TensorShape | null)[];
  readonly nonTrainableParams: number;
  readonly range?: SourceRange;
  /** The attributes under the format's own names (ONNX `kernel_shape`, `pads`), where they differ from `attrs`. */
  readonly sourceAttrs?: Attrs;
  /** The constants the layer reads (ONNX initializers): weights, and small operands such as a Reshape's shape. */
  readonly weights?: readonly ReportWeight[];
  /** Every output's shape, for layers with more than one output (Split). */
  readonly outputShapes?: readonly (TensorShape | null)[];
}

export interface ReportWeight {
  /** The tensor's name in the file. */
  readonly name: string;
  /** The input position it feeds. */
  readonly input: number;
  readonly shape: readonly number[];
  /** As stored: 'float32', 'float16', 'int8', 'int64', … */
  readonly dtype: string;
  readonly bytes: number;
}

export interface ReportDiagnostic {
  readonly severity: Severity;
  /** The node id, or null for whole-file problems. */
  readonly layer: string | null;
  readonly message: string;
  readonly range: SourceRange | null;
  readonly code: string;
}

export interface ModelReport {
  readonly model: {
    readonly name: string;
    readonly format: string;
    readonly inputs: readonly {
      readonly name: string;
      readonly shape: TensorShape | null;
      /** Names of symbolic dimensions (`batch`, `N`), null where a dimension is fixed. */
      readonly dimNames?: readonly (string | null)[];
      /** Symbolic dimensions analysis filled in, and the value it used. */
      readonly assumed?: readonly { readonly axis: number; readonly name: string; readonly value: number }[];
    }[];
    readonly outputs: readonly { readonly name: string; readonly shape: TensorShape | null }[];
    /** True for formats CNN Lens shows but does not edit (ONNX). */
    readonly readOnly: boolean;
    /** The layout the format fixes for image tensors (ONNX: channels_first); absent where layers choose. */
    readonly layout?: Layout;
  };
  readonly memory: {
    /** Weight bytes by the dtype they are stored in. */
    readonly weightBytesByDtype: Readonly<Record<string, number>>;
    /** The weights decoded to float32, as TensorFlow.js holds them at run time: present when they are stored otherwise (a quantised TF.js model). */
    readonly runtimeWeightBytes?: number;
  };
  readonly layers: readonly ReportLayer[];
  readonly totals: { readonly [K in keyof Totals]: number | null };
  readonly diagnostics: readonly ReportDiagnostic[];
  readonly groups: readonly IRGroup[];
}
