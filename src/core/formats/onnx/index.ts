import type { ModelFormat } from '../format';
import { checkExternalData, onnxTensorBytes } from './external-data';
import { looksLikeOnnx, parseOnnx } from './parse';

// ONNX (.onnx): a protobuf ModelProto, read with protobufjs and ONNX's own schema (onnx.proto,
// turned into onnx-proto.json by scripts/onnx/proto-json.ts). Read-only.

export const onnxFormat: ModelFormat = {
  id: 'onnx',
  displayName: 'ONNX',
  extensions: ['.onnx'],
  produces: ['onnx'],
  binary: true,
  detect: (source) => looksLikeOnnx(source.bytes(), source.name),
  parse: parseOnnx,
  checkFiles: checkExternalData,
  tensorBytes: onnxTensorBytes,
  layout: 'channels_first',
};
