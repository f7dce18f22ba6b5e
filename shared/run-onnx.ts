import type { Analysis } from '../src/core/analysis/types';
import { exportOnnx } from '../src/core/engine/onnx-export';
import { tapValues, withExtraOutputs } from '../src/core/engine/onnx-taps';
import { plainWeights } from '../src/core/engine/plain-weights';
import type { WeightMap } from '../src/core/runtime/weight-map';
import type { OnnxModelBytes } from './protocol';

// What the host puts into a `run` for onnxruntime-web (cnnLens.backend 'onnxruntime-web'): the model
// exported to ONNX with the run's weights, every layer's value (in the IR's layout) appended as a
// graph output, as the host's own engine taps them (src/node/engine/session.ts). Used by the
// extension host (src/extension/webview-run.ts) and the browser test.

/** The ONNX export of `analysis` with `weights`, every layer tapped; `source` is an ONNX file's own bytes. */
export async function onnxModelBytes(analysis: Analysis, weights: WeightMap, source?: Uint8Array): Promise<OnnxModelBytes> {
  const exported = exportOnnx(analysis, await plainWeights(weights), { taps: 'all', source });
  const taps = tapValues(analysis.graph, exported.layerValues, 'all');
  const bytes = withExtraOutputs(exported.bytes, [...taps.values()], exported.outputs);
  // Its own ArrayBuffer (moved to the webview), not a view into a larger one.
  const buffer = bytes.buffer.byteLength === bytes.byteLength && bytes.byteOffset === 0 ? bytes.buffer : bytes.slice().buffer;
  return { bytes: buffer as ArrayBuffer, inputs: exported.inputs, outputs: exported.outputs, taps: [...taps] };
}
