import type { Graph } from '../../ir';
import type { ModelSource } from '../source';

// Stub while the reader lands.
export const looksLikeOnnx = (bytes: Uint8Array, name: string): boolean => /\.onnx$/i.test(name) && bytes[0] === 0x08;
export const parseOnnx = (source: ModelSource): Graph => ({ name: source.name, format: 'onnx', nodes: [], inputs: [], outputs: [], groups: [], diagnostics: [{ severity: 'error', code: 'onnx', message: 'not yet' }] });
