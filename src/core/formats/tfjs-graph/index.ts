import type { ModelFormat } from '../format';
import { checkShards, readOperandValues, tfjsGraphTensorBytes } from './files';
import { looksLikeTfjsGraph, parseTfjsGraph } from './parse';
import { loadTfjsGraphWeights } from './weights';

const startsLikeJsonObject = (bytes: Uint8Array): boolean => {
  for (const b of bytes.subarray(0, 1024)) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09 && b !== 0xef && b !== 0xbb && b !== 0xbf) return b === 0x7b;
  return false;
};

// TF.js graph models (model.json with `"format": "graph-model"`, as tensorflowjs_converter writes
// them from a SavedModel or a frozen graph, and the shards beside it). Read-only.

export const tfjsGraphFormat: ModelFormat = {
  id: 'tfjs-graph',
  displayName: 'TF.js graph model (JSON)',
  extensions: ['.json'],
  produces: ['tfjs-graph'],
  binary: false,
  // A JSON object's first byte is `{` (after white space): binary files are passed over without decoding them as text.
  detect: (source) => startsLikeJsonObject(source.bytes()) && looksLikeTfjsGraph(source.text()),
  parse: (source) => parseTfjsGraph(source),
  parseWithFiles: async (source) => parseTfjsGraph(source, await readOperandValues(source)),
  checkFiles: checkShards,
  tensorBytes: tfjsGraphTensorBytes,
  ownWeights: loadTfjsGraphWeights,
  layout: 'channels_last',
};
