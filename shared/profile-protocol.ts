// Messages between the host and the profile webview (separate from the diagram's protocol.ts).
// Only the profile's numbers cross: no tensors, no model file.

export const PROFILE_PROTOCOL_VERSION = 2;

export interface ProfileLayerRow {
  readonly name: string;
  readonly type: string;
  readonly ms: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly share: number;
  readonly gflops: number;
  readonly flops: number;
}

export interface ProfileView {
  readonly model: string;
  readonly file: string;
  /** What ran, e.g. "wasm (SIMD)". */
  readonly backend: string;
  /** Why the better backends were not used, one reason each ("tfjs-node-gpu not installed"). */
  readonly notUsed: readonly string[];
  /** The inference engine that timed it, e.g. "ONNX Runtime 1.23.2" or "TensorFlow.js 4.22.0". */
  readonly engine: string;
  /** True when the engine's own trace (Chrome trace JSON) can be saved: ONNX Runtime's profiler ran. */
  readonly hasTrace: boolean;
  readonly weights: string;
  readonly randomWeights: boolean;
  readonly runs: number;
  readonly warmup: number;
  readonly wholeModelMs: number;
  readonly wholeModelP10Ms: number;
  readonly wholeModelP90Ms: number;
  readonly sumOfLayersMs: number;
  readonly sumVsWhole: string;
  readonly peakActivationBytes: number;
  readonly totalActivationBytes: number;
  readonly weightBytes: number;
  readonly layers: readonly ProfileLayerRow[];
}

export type ProfileHostMessage =
  | { readonly type: 'profile'; readonly version: number; readonly profile: ProfileView }
  | { readonly type: 'exported'; readonly format: 'json' | 'csv' | 'trace'; readonly path?: string };

export type ProfileWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'export'; readonly format: 'json' | 'csv' }
  | { readonly type: 'saveTrace' }
  | { readonly type: 'reveal'; readonly layer: string };
