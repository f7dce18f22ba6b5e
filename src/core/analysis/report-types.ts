import type { Attrs, IRGroup, Severity, SourceRange, TensorShape } from '../ir';
import type { Totals } from './types';

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
    readonly inputs: readonly { readonly name: string; readonly shape: TensorShape | null }[];
    readonly outputs: readonly { readonly name: string; readonly shape: TensorShape | null }[];
  };
  readonly layers: readonly ReportLayer[];
  readonly totals: { readonly [K in keyof Totals]: number | null };
  readonly diagnostics: readonly ReportDiagnostic[];
  readonly groups: readonly IRGroup[];
}
